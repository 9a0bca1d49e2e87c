package dev.incidentengine.schemas;

import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicsTest {

    @Test
    void namesAreUniqueLowercaseDottedAndVersioned() {
        Set<String> names = Topics.ALL.stream().map(Topic::name).collect(Collectors.toSet());

        assertThat(names).hasSameSizeAs(Topics.ALL);
        assertThat(names).allMatch(name -> name.matches("[a-z]+(\\.[a-z-]+)*\\.v[0-9]+"), "lowercase.dotted.vN");
    }

    @Test
    void incidentLogIsKeptForeverAndStateIsCompacted() {
        assertThat(Topics.INCIDENT_EVENTS.configs((short) 3))
                .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "delete")
                .containsEntry(TopicConfig.RETENTION_MS_CONFIG, "-1")
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        assertThat(Topics.INCIDENT_STATE.configs((short) 1))
                .containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact")
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1");
    }

    @Test
    void configTopicsAreCompactedSinglePartition() {
        assertThat(Topics.ALL).filteredOn(topic -> topic.name().startsWith("config."))
                .isNotEmpty()
                .allSatisfy(topic -> {
                    assertThat(topic.cleanup()).isEqualTo(Topic.Cleanup.COMPACT);
                    assertThat(topic.partitions()).isEqualTo(1);
                });
    }
}
