package dev.incidentengine.incident;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.incident.IncidentApiIT.Api;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.incident.IncidentApiIT.RESPONDER;
import static dev.incidentengine.incident.IncidentApiIT.VIEWER;
import static dev.incidentengine.incident.IncidentApiIT.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two and three instances of one application: any instance answers any read or command, also while one stops. */
@WithKafka
class IncidentApiScaleOutIT {

    @TempDir
    Path dir;

    @Test
    void aCommandSentToTheInstanceThatDoesNotOwnThePartition_isAnsweredWithItsOutcome(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        try (ServiceRunner a = instance(kafka, topics, "instance-a");
             ServiceRunner b = instance(kafka, topics, "instance-b");
             Admin admin = kafka.admin()) {
            await("both instances ready").atMost(Duration.ofSeconds(60)).until(() -> a.ready() && b.ready());
            await("the incidents' partitions split between the instances").atMost(Duration.ofSeconds(60))
                    .until(() -> incidentPartitions(admin, topics, "instance-a").size() + incidentPartitions(admin, topics, "instance-b").size()
                            == topics.alerts().partitions() && !incidentPartitions(admin, topics, "instance-a").isEmpty()
                            && !incidentPartitions(admin, topics, "instance-b").isEmpty());
            String id = "INC-20261122-" + incidentPartitions(admin, topics, "instance-a").iterator().next() + "-0001";
            Api apiA = new Api("http://127.0.0.1:" + a.httpAddress().getPort());
            Api apiB = new Api("http://127.0.0.1:" + b.httpAddress().getPort());

            IncidentApiIT.open(kafka, topics, id, "checkout", Severity.SEV2, Instant.now().truncatedTo(ChronoUnit.MILLIS));
            await("incident in B's view").atMost(Duration.ofSeconds(30))
                    .until(() -> apiB.get("/api/v1/incidents/" + id, VIEWER).statusCode() == 200);
            HttpResponse<String> ack = apiB.post("/api/v1/incidents/" + id + "/acknowledge?wait=true", RESPONDER, "{\"message\": \"via B\"}");

            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
            JsonNode outcome = json(ack);
            assertThat(outcome.get("outcome").asText()).isEqualTo("APPLIED");
            assertThat(outcome.get("events").get(0).get("payload").get("type").asText()).isEqualTo("IncidentAcknowledged");
            assertThat(outcome.get("incident").get("status").asText()).isEqualTo("ACKNOWLEDGED");
            assertThat(incidentPartitions(admin, topics, "instance-b")).as("B never owned the incident's partition")
                    .doesNotContain(Correlate.partitionOf(id));
            assertThat(json(apiA.get("/api/v1/incidents/" + id, VIEWER)).get("status").asText()).isEqualTo("ACKNOWLEDGED");
        }
    }

    @Test
    void eitherInstanceAnswersEveryRead_theSameWay_wherever_theIncidentsAreHeld(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        kafka.produce(topics.services(), List.of(
                Map.entry("checkout", ServiceConfig.newBuilder().setId("checkout").setName("Checkout").build()),
                Map.entry("payments", ServiceConfig.newBuilder().setId("payments").setName("Payments").build())));
        try (ServiceRunner a = instance(kafka, topics, "instance-a");
             ServiceRunner b = instance(kafka, topics, "instance-b")) {
            await("both instances ready").atMost(Duration.ofSeconds(60)).until(() -> a.ready() && b.ready());
            Api apiA = new Api("http://127.0.0.1:" + a.httpAddress().getPort());
            Api apiB = new Api("http://127.0.0.1:" + b.httpAddress().getPort());
            // Twelve incidents, a second apart: their read-side partitions are spread over both instances.
            Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String id = "INC-20261204-" + (i % 6) + "-" + String.format("%04d", i);
                ids.add(id);
                IncidentApiIT.open(kafka, topics, id, i % 2 == 0 ? "checkout" : "payments", Severity.SEV2, first.plusSeconds(i));
            }
            await("every incident readable through both instances").atMost(Duration.ofSeconds(60)).until(() -> {
                for (String id : ids) {
                    if (apiA.get("/api/v1/incidents/" + id, VIEWER).statusCode() != 200
                            || apiB.get("/api/v1/incidents/" + id, VIEWER).statusCode() != 200) {
                        return false;
                    }
                }
                return true;
            });

            for (String id : ids) {
                for (String path : List.of("", "/events", "/alerts")) {
                    HttpResponse<String> fromA = apiA.get("/api/v1/incidents/" + id + path, VIEWER);
                    HttpResponse<String> fromB = apiB.get("/api/v1/incidents/" + id + path, VIEWER);
                    assertThat(fromA.statusCode()).as(path + " " + fromA.body()).isEqualTo(200);
                    assertThat(json(fromA)).as(id + path).isEqualTo(json(fromB));
                }
            }
            assertThat(apiB.get("/api/v1/incidents/INC-20261204-3-9999", VIEWER).statusCode()).isEqualTo(404);

            // A list pages the same through either instance: every incident once, newest first.
            List<String> newestFirst = new ArrayList<>(ids);
            Collections.reverse(newestFirst);
            for (Api api : List.of(apiA, apiB)) {
                List<String> listed = new ArrayList<>();
                String cursor = null;
                do {
                    JsonNode page = json(api.get("/api/v1/incidents?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), VIEWER));
                    page.get("incidents").forEach(incident -> listed.add(incident.get("incidentId").asText()));
                    cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
                } while (cursor != null);
                assertThat(listed).isEqualTo(newestFirst);
                JsonNode checkout = json(api.get("/api/v1/incidents?service=checkout", VIEWER)).get("incidents");
                assertThat(checkout).hasSize(6).allSatisfy(incident -> assertThat(incident.get("service").asText()).isEqualTo("checkout"));
                // The open counts add up both instances' partitions.
                JsonNode counts = json(api.get("/api/v1/incidents/counts", VIEWER));
                assertThat(counts.get("open").asLong()).as(counts.toString()).isEqualTo(12);
                assertThat(counts.get("bySeverity").get("SEV2").asLong()).isEqualTo(12);
                assertThat(counts.get("bySeverity").get("SEV0").asLong()).isZero();
                assertThat(counts.get("byStatus").get("TRIGGERED").asLong()).isEqualTo(12);
                assertThat(counts.get("byService").get("checkout").asLong()).isEqualTo(6);
                assertThat(counts.get("byService").get("payments").asLong()).isEqualTo(6);
                // So do the services' counts.
                JsonNode services = json(api.get("/api/v1/services", VIEWER)).get("services");
                assertThat(services).extracting(service -> service.get("id").asText() + "=" + service.get("openIncidents").asLong())
                        .containsExactly("checkout=6", "payments=6");
                assertThat(services.get(1).get("openBySeverity").get("SEV2").asLong()).isEqualTo(6);
                // And a report: each instance's rollups of its partitions.
                JsonNode report = json(api.get("/api/v1/reports", VIEWER));
                assertThat(report.get("totals").get("incidents").asLong()).as(report.toString()).isEqualTo(12);
                assertThat(report.get("byService").findValuesAsText("group")).containsExactly("checkout", "payments");
                assertThat(report.get("byService").findValuesAsText("incidents")).containsExactly("6", "6");
                assertThat(report.get("noisiestAlerts").findValuesAsText("attached")).containsExactly("6", "6");
            }
            // The silence preview gathers both instances' partitions too, newest incident first, the same through either.
            String preview = "/api/v1/silences/preview?matchers=alertname%3DHighErrorRate&matchers=env%3D~%22prod%7Cstaging%22";
            JsonNode fromA = json(apiA.get(preview, VIEWER));
            assertThat(fromA.get("matchingAlerts").asLong()).as(fromA.toString()).isEqualTo(12);
            assertThat(fromA.get("matchingIncidents").asLong()).isEqualTo(12);
            assertThat(fromA.get("truncated").asBoolean()).isFalse();
            List<String> previewed = new ArrayList<>();
            fromA.get("incidents").forEach(incident -> previewed.add(incident.get("incidentId").asText()));
            assertThat(previewed).isEqualTo(newestFirst);
            assertThat(fromA.get("alerts")).extracting(alert -> alert.get("incidentId").asText()).containsExactlyElementsOf(newestFirst);
            assertThat(json(apiB.get(preview, VIEWER))).isEqualTo(fromA);
            assertThat(json(apiB.get(preview.replace("prod", "dev"), VIEWER)).get("matchingAlerts").asLong()).isZero();
        }
    }

    @Test
    void threeInstances_oneStoppedMidList_everyListIsCompleteAndOrderedWithoutRepeats_andEveryIncidentIsFound(KafkaTestCluster kafka)
            throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        ServiceRunner c = instance(kafka, topics, "instance-c");
        try (ServiceRunner a = instance(kafka, topics, "instance-a");
             ServiceRunner b = instance(kafka, topics, "instance-b");
             c) {
            await("three instances ready").atMost(Duration.ofSeconds(90)).until(() -> a.ready() && b.ready() && c.ready());
            Api apiA = new Api("http://127.0.0.1:" + a.httpAddress().getPort());
            Api apiB = new Api("http://127.0.0.1:" + b.httpAddress().getPort());
            Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(120);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String id = "INC-20261204-" + (i % 6) + "-" + String.format("%04d", 100 + i);
                ids.add(id);
                IncidentApiIT.open(kafka, topics, id, i % 3 == 0 ? "checkout" : "payments", Severity.SEV2, first.plusSeconds(i));
            }
            List<String> newestFirst = new ArrayList<>(ids);
            Collections.reverse(newestFirst);
            await("all 24 listed").atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> all = apiA.get("/api/v1/incidents?limit=100", VIEWER);
                return all.statusCode() == 200 && json(all).get("incidents").size() == ids.size();
            });

            List<String> listed = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                String path = "/api/v1/incidents?limit=4" + (cursor == null ? "" : "&cursor=" + cursor);
                // While the group rebalances a page may be refused (503, Retry-After); the same cursor is asked again.
                HttpResponse<String> answer = await("page " + pages).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> apiA.get(path, VIEWER), response -> response.statusCode() != 503);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                JsonNode page = json(answer);
                page.get("incidents").forEach(incident -> listed.add(incident.get("incidentId").asText()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
                if (++pages == 2) {
                    // Mid-list: an incident newer than every listed one arrives, and instance C stops.
                    IncidentApiIT.open(kafka, topics, "INC-20261204-2-0999", "checkout", Severity.SEV1, Instant.now());
                    c.close();
                }
            } while (cursor != null);

            assertThat(listed).as("complete, newest first, each once; the newer incident sorts before the cursor")
                    .isEqualTo(newestFirst);
            for (String id : ids) {
                for (Api api : List.of(apiA, apiB)) {
                    HttpResponse<String> found = await(id).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                            .until(() -> api.get("/api/v1/incidents/" + id, VIEWER), response -> response.statusCode() != 503);
                    assertThat(found.statusCode()).as(id + " " + found.body()).isEqualTo(200);
                    assertThat(json(found).get("incidentId").asText()).isEqualTo(id);
                }
            }
        }
    }

    /** A started incident-stream instance with its own state directory and HTTP port. */
    private ServiceRunner instance(KafkaTestCluster kafka, IncidentTopics topics, String name) throws Exception {
        return new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(IncidentApiIT.config(kafka, topics, dir, name), topics)))
                .start();
    }

    /** The partitions of incidents (by the partition their ids name) the instance's stream threads hold now. */
    private static Set<Integer> incidentPartitions(Admin admin, IncidentTopics topics, String instance) throws Exception {
        String applicationId = IncidentTestTopics.applicationId(topics);
        String commandsByOwner = applicationId + "-" + IncidentTopology.COMMANDS_BY_OWNER + "-repartition";
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId)).all()
                .get(10, TimeUnit.SECONDS).get(applicationId);
        if (group.groupState() != GroupState.STABLE) {
            return Set.of();
        }
        return group.members().stream()
                .filter(member -> member.clientId().startsWith(instance + "-"))
                .map(MemberDescription::assignment)
                .flatMap(assignment -> assignment.topicPartitions().stream())
                .filter(partition -> partition.topic().equals(commandsByOwner))
                .map(TopicPartition::partition)
                .collect(Collectors.toSet());
    }
}
