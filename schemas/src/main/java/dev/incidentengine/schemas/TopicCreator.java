package dev.incidentengine.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates registry topics with their configuration; topics that exist are left as they are. */
public final class TopicCreator {

    private TopicCreator() {
    }

    /**
     * @param replicationFactor copies of each partition; empty uses the broker's default (and assumes 3 for min ISR)
     * @return the names of the topics that were created now
     */
    public static List<String> ensureCreated(Admin admin, Collection<? extends Topic<?, ?>> topics,
                                             Optional<Short> replicationFactor) {
        short assumed = replicationFactor.orElse((short) 3);
        List<NewTopic> requests = topics.stream()
                .map(topic -> new NewTopic(topic.name(), Optional.of(topic.partitions()), replicationFactor)
                        .configs(topic.configs(assumed)))
                .toList();
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(requests).values().entrySet()) {
            try {
                result.getValue().get(30, TimeUnit.SECONDS);
                created.add(result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + result.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic " + result.getKey(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Timed out creating topic " + result.getKey(), e);
            }
        }
        return created;
    }
}
