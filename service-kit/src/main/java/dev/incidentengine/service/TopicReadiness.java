package dev.incidentengine.service;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    /** Null once ready. */
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

    /** Empty once the cluster answered with every topic; else what is missing. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem).map(text -> "Kafka: " + text);
    }

    private void check() {
        try {
            Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<String> missing = topics.stream().filter(name -> !existing.contains(name)).sorted().toList();
            report(missing.isEmpty() ? null : "missing topics " + missing);
        } catch (Exception e) {
            report("cluster unreachable: " + e.getMessage());
        }
    }

    private void report(String nowProblem) {
        if (!Objects.equals(nowProblem, problem)) {
            if (nowProblem == null) {
                log.info("Kafka topics ready: {}", topics);
            } else {
                log.error("Not ready: {}", nowProblem);
            }
        }
        problem = nowProblem;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
