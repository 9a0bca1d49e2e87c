package dev.incidentengine.schemas;

import java.util.List;

import dev.incidentengine.schemas.ServiceAccess.Acl;
import org.junit.jupiter.api.Test;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceAccessTest {

    @Test
    void givenAStreamsApp_thenItsGroupInternalTopicsAndTransactionsAreAllowed_andNothingElse() {
        ServiceAccess access = ServiceAccess.of("svc").reads(Topics.ALERTS).writes(Topics.INCIDENT_EVENTS).streamsApplication("app");

        assertThat(access.acls()).containsExactly(
                new Acl(TOPIC, "alerts.v1", LITERAL, READ),
                new Acl(TOPIC, "incident.events.v1", LITERAL, WRITE),
                new Acl(GROUP, "app", LITERAL, READ),
                new Acl(TOPIC, "app-", PREFIXED, CREATE),
                new Acl(TOPIC, "app-", PREFIXED, READ),
                new Acl(TOPIC, "app-", PREFIXED, WRITE),
                new Acl(TOPIC, "app-", PREFIXED, DELETE),
                new Acl(TOPIC, "app-", PREFIXED, DESCRIBE_CONFIGS),
                new Acl(TRANSACTIONAL_ID, "app-", PREFIXED, WRITE));
    }

    @Test
    void givenTransactionalIdsAndADescribedGroup_thenPrefixesEndWithADash_andWhatIsWrittenIsNotDescribedAgain() {
        ServiceAccess access = ServiceAccess.of("svc").writes(Topics.ALERTS).group("svc-sender").transactionalId("svc-sender-")
                .transactionalId("loader").describesGroup("other", List.of("alerts.v1", "incident.commands.v1", "other-"));

        assertThat(access.acls()).containsExactly(
                new Acl(TOPIC, "alerts.v1", LITERAL, WRITE),
                new Acl(GROUP, "svc-sender", LITERAL, READ),
                new Acl(GROUP, "other", LITERAL, DESCRIBE),
                new Acl(TOPIC, "incident.commands.v1", LITERAL, DESCRIBE),
                new Acl(TOPIC, "other-", PREFIXED, DESCRIBE),
                new Acl(TRANSACTIONAL_ID, "loader", LITERAL, WRITE),
                new Acl(TRANSACTIONAL_ID, "svc-sender-", PREFIXED, WRITE));
        assertThat(access.bindings("User:svc")).hasSize(7)
                .allSatisfy(binding -> assertThat(binding.entry().principal()).isEqualTo("User:svc"));
    }

    @Test
    void plus_isTheUnion_underTheFirstName() {
        ServiceAccess merged = ServiceAccess.of("a").reads(Topics.ALERTS).plus(ServiceAccess.of("b").reads(Topics.ALERTS).writes(Topics.ALERTS_DLQ));

        assertThat(merged.service()).isEqualTo("a");
        assertThat(merged.topics()).containsExactly("alerts.dlq.v1", "alerts.v1");
        assertThat(merged.acls()).hasSize(2);
    }
}
