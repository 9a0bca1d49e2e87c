package dev.incidentengine.service;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches, in the background, that the cluster answers and holds the topics a service needs,
 * so /readyz tells the truth about Kafka rather than about the process alone.
 */
public final class TopicReadiness implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicReadiness.class);
    private static final long CHECK_INTERVAL_MS = 5_000;

    private final Admin admin;
    private final Set<String> topics;
    private final ScheduledExecutorService scheduler;
    private volatile boolean ready;
    private volatile String problem = "not checked yet";

    public TopicReadiness(EngineConfig config, String owner, Collection<Topic<?, ?>> topics) {
        Map<String, Object> props = KafkaClients.admin(config);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, owner + "-readiness");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        this.admin = Admin.create(props);
        this.topics = topics.stream().map(Topic::name).collect(Collectors.toUnmodifiableSet());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, owner + "-readiness");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, 0, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    public boolean ready() {
        return ready;
    }

    private void check() {
        try {
            Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<String> missing = topics.stream().filter(name -> !existing.contains(name)).sorted().toList();
            boolean nowReady = missing.isEmpty();
            String nowProblem = nowReady ? null : "missing topics " + missing;
            report(nowReady, nowProblem);
        } catch (Exception e) {
            report(false, "cluster unreachable: " + e.getMessage());
        }
    }

    private void report(boolean nowReady, String nowProblem) {
        if (nowReady != ready || (nowProblem != null && !nowProblem.equals(problem))) {
            if (nowReady) {
                log.info("Kafka topics ready: {}", topics);
            } else {
                log.warn("Not ready: {}", nowProblem);
            }
        }
        ready = nowReady;
        problem = nowProblem;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
