package dev.incidentengine.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.cli.Incidentctl;
import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamService;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.status.StatusPageService;
import dev.incidentengine.status.StatusPageServiceConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/deployment.md's table of each service's Kafka access is what the services say ({@code kafkaAccess}), so it stays true:
 * on a difference the message holds the table to paste between the markers.
 */
class KafkaAccessDocsTest {

    private static final Path DOC = Path.of("../../docs/deployment.md");
    private static final String BEGIN = "<!-- kafka-access:begin (KafkaAccessDocsTest) -->\n";
    private static final String END = "<!-- kafka-access:end -->";

    /** Every service's access with its default settings, and incidentctl's. */
    static List<ServiceAccess> all() {
        return List.of(AlertIngestService.kafkaAccess(new AlertIngestConfig(Map.of())),
                IncidentStreamService.kafkaAccess(new IncidentStreamConfig(Map.of())),
                EscalationStreamService.kafkaAccess(new EscalationStreamConfig(Map.of())),
                NotifierService.kafkaAccess(new NotifierConfig(Map.of())),
                StatusPageService.kafkaAccess(new StatusPageServiceConfig(Map.of())),
                Incidentctl.kafkaAccess());
    }

    @Test
    void theDocumentedAccessIsWhatTheServicesSay() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("%s has the markers %s and %s", DOC, BEGIN.strip(), END).isNotNegative();
        String table = table();
        assertThat(doc.substring(begin + BEGIN.length(), end))
                .as("the access table in %s; write this between the markers:%n%s", DOC, table)
                .isEqualTo(table);
    }

    @Test
    void everyServiceUsesOnlyRegistryTopics_andEveryEngineTopicHasAUser() {
        List<String> registry = Topics.ALL.stream().map(Topic::name).toList();
        assertThat(all()).allSatisfy(access -> assertThat(registry).containsAll(access.topics()));
        // Kafka Connect's topics belong to the ticketing workers, which are deployed (and given access) apart.
        List<String> unused = registry.stream().filter(name -> all().stream().noneMatch(access -> access.topics().contains(name)))
                .toList();
        assertThat(unused).containsExactlyInAnyOrder(Topics.TICKET_LINKS.name(), Topics.TICKET_DLQ.name(),
                Topics.TICKET_SOURCE_HEARTBEATS.name(), Topics.CONNECT_CONFIGS.name(), Topics.CONNECT_OFFSETS.name(),
                Topics.CONNECT_STATUS.name());
    }

    private static String table() {
        StringBuilder table = new StringBuilder()
                .append("| user | reads | writes | consumer groups | Streams application ids | transactional ids | describes |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (ServiceAccess access : all()) {
            table.append("| `").append(access.service()).append("` | ")
                    .append(names(access.reads())).append(" | ")
                    .append(names(access.writes())).append(" | ")
                    .append(names(access.groups())).append(" | ")
                    .append(names(access.streamsApplications())).append(" | ")
                    .append(names(access.transactionalIds())).append(" | ")
                    .append(access.describedGroups().isEmpty() ? "" : "group " + names(access.describedGroups()) + "; topics "
                            + names(access.describedTopics())).append(" |\n");
        }
        return table.toString();
    }

    private static String names(Collection<String> names) {
        return names.isEmpty() ? "" : names.stream().map(name -> name.endsWith("-") ? "`" + name + "*`" : "`" + name + "`")
                .collect(Collectors.joining(", "));
    }
}
