package dev.incidentengine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@WithKafka
class TopicsCommandIT {

    @Test
    void topicsCreateMakesEveryRegistryTopicAsTheEngineNeedsIt_andLeavesThemAfterwards(KafkaTestCluster kafka) throws Exception {
        String[] create = {"topics", "create", "--replication-factor", "1", "--bootstrap-servers", kafka.bootstrapServers()};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), create))
                .as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("created ").contains(" of " + Topics.ALL.size() + " topics");

        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL.stream().map(Topic::name).toList());
            // One no other test of this JVM creates: it is this command's.
            Topic<?, ?> requests = Topics.NOTIFICATION_REQUESTS;
            assertThat(admin.describeTopics(List.of(requests.name())).allTopicNames().get().get(requests.name()).partitions())
                    .hasSize(requests.partitions());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, requests.name());
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            requests.configs((short) 1).forEach((key, value) -> assertThat(config.get(key).value()).as(key).isEqualTo(value));
        }

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertThat(Incidentctl.run(new PrintStream(again, true, StandardCharsets.UTF_8), System.err, create)).isZero();
        assertThat(again.toString(StandardCharsets.UTF_8).strip()).isEqualTo("created 0 of " + Topics.ALL.size() + " topics");
    }
}
