package dev.incidentengine.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code topics create}: every topic of the registry ({@link Topics#ALL}) as the engine needs it, for a cluster without an
 * operator that makes them (Docker Compose, brokers of your own). On Kubernetes, Strimzi's KafkaTopics do it.
 */
@Command(name = "topics", description = "The engine's Kafka topics.", subcommands = TopicsCommand.Create.class)
final class TopicsCommand {

    @Command(name = "create", description = "Create every registry topic that does not exist yet (partitions, cleanup, retention, "
            + "min.insync.replicas as the engine needs them); topics that exist are left as they are.")
    static final class Create implements Callable<Integer> {
        @Mixin
        KafkaSource kafka;

        @Option(names = "--replication-factor", description = "Copies of each partition (default: the brokers' default.replication.factor).")
        Short replicationFactor;

        @Mixin
        OutputFormat format;

        @Override
        public Integer call() {
            if (replicationFactor != null && replicationFactor < 1) {
                throw new CliError(CliError.USAGE, "--replication-factor must be at least 1");
            }
            List<String> created;
            // The cluster's TLS/SASL settings too: on a secured cluster this runs as an operator allowed to create topics.
            Map<String, Object> props = new HashMap<>(kafka.clientProps());
            props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
            try (Admin admin = Admin.create(props)) {
                created = TopicCreator.ensureCreated(admin, Topics.ALL, Optional.ofNullable(replicationFactor));
            } catch (KafkaException | IllegalStateException e) {
                throw new CliError(CliError.UNREACHABLE, "cannot create topics on Kafka at " + kafka.bootstrapServers + ": " + e.getMessage());
            }
            Output out = format.out();
            if (out.json) {
                ObjectNode json = ApiClient.JSON.createObjectNode().put("topics", Topics.ALL.size());
                ArrayNode names = json.putArray("created");
                created.forEach(names::add);
                out.json(json);
            } else {
                out.line("created " + created.size() + " of " + Topics.ALL.size() + " topics" + (created.isEmpty() ? "" : ": " + String.join(", ", created)));
            }
            return 0;
        }
    }
}
