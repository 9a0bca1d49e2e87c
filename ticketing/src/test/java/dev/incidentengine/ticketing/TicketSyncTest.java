package dev.incidentengine.ticketing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketLink;
import dev.incidentengine.model.TicketRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sync against the local ticket server over HTTP, without Kafka: what a task does with each event, and after a crash. */
class TicketSyncTest {

    private LocalTicketServer server;
    private final List<TicketLink> written = new ArrayList<>();
    private final List<TicketRef> linkedTickets = new ArrayList<>();
    private final TicketMetrics metrics = new TicketMetrics();
    private RuntimeException failNextLink;

    @BeforeEach
    void start() throws Exception {
        server = new LocalTicketServer("token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, String> props(String... more) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "tickets");
        props.put(TicketConfig.SYSTEM, LocalTicketSystem.SYSTEM);
        props.put(LocalTicketSystem.URL, server.url());
        props.put(LocalTicketSystem.TOKEN, "token");
        props.put(TicketConfig.KAFKA_BOOTSTRAP, "unused:9092");
        props.put(TicketConfig.RETRY_BACKOFF_MS, "10");
        props.put(TicketConfig.RETRY_ATTEMPTS, "2");
        for (int i = 0; i < more.length; i += 2) {
            props.put(more[i], more[i + 1]);
        }
        return props;
    }

    private TicketSync sync(Map<String, String> props) {
        TicketConfig config = new TicketConfig(TicketConfig.sinkDef(props), props);
        TicketSystem system = config.provider().create(config, TicketHttp.create("local", config.retry(), Duration.ofSeconds(5)));
        return new TicketSync(TicketSync.Rules.of("tickets", config), system, new TicketTemplates(config), (incidentId, link, ticket, partition) -> {
            if (failNextLink != null) {
                RuntimeException failure = failNextLink;
                failNextLink = null;
                throw failure;
            }
            linkedTickets.add(ticket);
            if (link != null) {
                written.add(link);
            }
        }, metrics, Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
    }

    private static void applyAll(TicketSync sync, List<IncidentEvent> events) throws TicketException {
        for (IncidentEvent event : events) {
            sync.apply(event, "checkout", 3);
        }
    }

    private int commentsWith(String key, IncidentEvent event) {
        return (int) server.comments(key).stream().filter(text -> text.contains(TicketSync.marker(event))).count();
    }

    @Test
    void aLifecycleIsOneTicketWithItsCommentsTransitionsAndActionItem() throws Exception {
        TicketSync sync = sync(props(TicketConfig.INCIDENT_URL, "https://incidents.example.com/incidents/{{id}}"));
        Lifecycle incident = Lifecycle.full("INC-1");
        applyAll(sync, incident.events);

        LocalTicketServer.Ticket ticket = server.withMarker("INC-1").get(0);
        assertThat(server.withMarker("INC-1")).hasSize(1);
        assertThat(ticket.summary).isEqualTo("SEV2 INC-1: Checkout errors for INC-1");
        assertThat(ticket.description).contains("Service: checkout").contains("https://incidents.example.com/incidents/INC-1");
        assertThat(ticket.status).isEqualTo("closed");
        assertThat(ticket.severity).isEqualTo("SEV1");
        assertThat(server.comments(ticket.key)).hasSize(Lifecycle.FULL_INCIDENT_COMMENTS);
        assertThat(server.comments(ticket.key).get(0)).startsWith("Acknowledged by Alice Example\n\non it");
        assertThat(server.comments(ticket.key).get(4)).startsWith("Resolved by Alice Example.\n\nbad deploy, rolled back");
        LocalTicketServer.Ticket item = server.withMarker("INC-1/AI-1").get(0);
        assertThat(item.parent).isEqualTo(ticket.key);
        assertThat(item.summary).isEqualTo("AI-1 of INC-1: Alert on 5xx ratio");
        assertThat(item.status).isEqualTo("closed");
        assertThat(linkedTickets).extracting(TicketRef::getKey).containsExactly(ticket.key, item.key);
        assertThat(metrics.ticketsCreated.sum()).isEqualTo(2);
        assertThat(metrics.comments.sum()).isEqualTo(4);
        assertThat(metrics.transitions.sum()).isEqualTo(3);

        TicketLink link = sync.drainDirty().get(0).link();
        assertThat(link.getAppliedSequence()).isEqualTo(incident.events.size());
        assertThat(link.getTicket().getKey()).isEqualTo(ticket.key);
        assertThat(link.getActionItems().get("AI-1").getDone()).isTrue();

        // Delivered again (a retried batch): nothing is asked of the system.
        int before = server.requests("POST /api/tickets/{key}/comments") + server.requests("GET /api/tickets");
        applyAll(sync, incident.events);
        assertThat(server.requests("POST /api/tickets/{key}/comments") + server.requests("GET /api/tickets")).isEqualTo(before);
    }

    @Test
    void afterACrashTheEventsAppliedButNotRecordedAreRecognisedByTheirComments() throws Exception {
        Lifecycle incident = Lifecycle.full("INC-2");
        TicketSync first = sync(props());
        applyAll(first, incident.events.subList(0, 7)); // up to the resolution
        TicketLink linkWrittenAtCreate = written.get(0);
        assertThat(linkWrittenAtCreate.getAppliedSequence()).isEqualTo(1);

        // The task died before its batch's link was written: a new one knows only the link of the create.
        TicketSync restarted = sync(props());
        restarted.load(linkWrittenAtCreate, 3);
        applyAll(restarted, incident.events);

        String key = server.withMarker("INC-2").get(0).key;
        for (IncidentEvent event : incident.events) {
            assertThat(commentsWith(key, event)).as(event.getPayload().getClass().getSimpleName()).isLessThanOrEqualTo(1);
        }
        assertThat(server.comments(key)).hasSize(Lifecycle.FULL_INCIDENT_COMMENTS);
        assertThat(server.withMarker("INC-2")).hasSize(1);
        assertThat(server.withMarker("INC-2/AI-1")).hasSize(1);
        assertThat(server.withMarker("INC-2").get(0).status).isEqualTo("closed");
    }

    @Test
    void aTicketMadeButNotRecordedIsFoundInsteadOfMadeAgain() throws Exception {
        TicketSync sync = sync(props());
        Lifecycle incident = new Lifecycle("INC-3").opened(Severity.SEV1, "checkout", "Down").note("first note");
        failNextLink = new org.apache.kafka.connect.errors.RetriableException("broker away");
        assertThatThrownBy(() -> sync.apply(incident.events.get(0), "checkout", 0)).isInstanceOf(RuntimeException.class);

        applyAll(sync, incident.events); // Connect delivers the batch again
        assertThat(server.withMarker("INC-3")).hasSize(1);
        assertThat(linkedTickets).hasSize(1);
        assertThat(server.comments(server.withMarker("INC-3").get(0).key)).hasSize(1);
    }

    @Test
    void onlyConfiguredSeveritiesAndServicesGetTicketsAndASeverityChangeCanQualify() throws Exception {
        TicketSync sync = sync(props(TicketConfig.SEVERITIES, "SEV0,SEV1", TicketConfig.SERVICES, "checkout,payments"));
        Lifecycle minor = new Lifecycle("INC-4").opened(Severity.SEV3, "checkout", "Slow").note("looking").severity(Severity.SEV3, Severity.SEV1).note("worse");
        Lifecycle otherService = new Lifecycle("INC-5").opened(Severity.SEV0, "search", "Search down");
        for (IncidentEvent event : minor.events) {
            sync.apply(event, "checkout", 0);
        }
        sync.apply(otherService.events.get(0), "search", 0);

        assertThat(server.withMarker("INC-5")).isEmpty();
        LocalTicketServer.Ticket ticket = server.withMarker("INC-4").get(0);
        assertThat(ticket.severity).isEqualTo("SEV1");
        assertThat(server.comments(ticket.key)).singleElement().satisfies(text -> assertThat(text).startsWith("Note by Alice Example\n\nworse"));
        assertThat(sync.drainDirty()).extracting(pending -> pending.link().getIncidentId()).containsExactlyInAnyOrder("INC-4", "INC-5");
    }

    @Test
    void eventsBeforeTicketSinceOpenNoTicket() throws Exception {
        TicketSync sync = sync(props(TicketConfig.SINCE, Lifecycle.T0.plusSeconds(150).toString()));
        Lifecycle old = new Lifecycle("INC-12").opened(Severity.SEV1, "checkout", "Old").note("still old").severity(Severity.SEV1, Severity.SEV0);
        sync.apply(old.events.get(0), "checkout", 0);
        sync.apply(old.events.get(1), "checkout", 0);
        assertThat(server.withMarker("INC-12")).isEmpty();
        sync.apply(old.events.get(2), "checkout", 0); // after the cut-off: the incident is still active
        assertThat(server.withMarker("INC-12")).singleElement().satisfies(ticket -> assertThat(ticket.severity).isEqualTo("SEV0"));
    }

    @Test
    void anIncidentDroppedFromMemoryFindsItsTicketAgain() throws Exception {
        TicketSync sync = sync(props(TicketConfig.MAX_INCIDENTS, "1"));
        Lifecycle a = new Lifecycle("INC-6").opened(Severity.SEV1, "checkout", "A").note("a1").note("a2");
        Lifecycle b = new Lifecycle("INC-7").opened(Severity.SEV1, "checkout", "B");
        sync.apply(a.events.get(0), "checkout", 0);
        sync.apply(a.events.get(1), "checkout", 0);
        sync.apply(b.events.get(0), "checkout", 1); // INC-6 is dropped, its link kept for writing
        assertThat(sync.size()).isEqualTo(1);
        assertThat(sync.drainDirty()).extracting(pending -> pending.link().getIncidentId()).contains("INC-6", "INC-7");

        sync.apply(a.events.get(1), "checkout", 0); // delivered again: its comment is found, not posted twice
        sync.apply(a.events.get(2), "checkout", 0);
        String key = server.withMarker("INC-6").get(0).key;
        assertThat(server.comments(key)).hasSize(2);
        assertThat(server.withMarker("INC-6")).hasSize(1);
    }

    @Test
    void aRefusedEventIsSkippedAndTheIncidentGoesOn() throws Exception {
        TicketSync sync = sync(props());
        Lifecycle incident = new Lifecycle("INC-8").opened(Severity.SEV1, "checkout", "Down").note("REFUSED note").note("fine note");
        server.refuse("REFUSED note", 422, "{\"error\":\"text rejected\"}");
        sync.apply(incident.events.get(0), "checkout", 0);
        assertThatThrownBy(() -> sync.apply(incident.events.get(1), "checkout", 0))
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.getMessage()).contains("local refused comment: HTTP 422").contains("text rejected");
                });
        sync.skip(incident.events.get(1));
        sync.apply(incident.events.get(2), "checkout", 0);
        assertThat(server.comments(server.withMarker("INC-8").get(0).key)).singleElement()
                .satisfies(text -> assertThat(text).contains("fine note"));
    }

    @Test
    void hostileTextReachesTheClientAsPlainText() throws Exception {
        TicketSync sync = sync(props());
        String hostile = "<script>alert(1)</script> h1. *bold* [link](javascript:x) {{mustache}} {code}";
        Lifecycle incident = new Lifecycle("INC-9").opened(Severity.SEV1, "checkout", hostile).note(hostile);
        applyAll(sync, incident.events);
        LocalTicketServer.Ticket ticket = server.withMarker("INC-9").get(0);
        assertThat(ticket.summary).isEqualTo("SEV1 INC-9: " + hostile);
        assertThat(server.comments(ticket.key).get(0)).contains(hostile);
    }

    @Test
    void ticketsOfOtherConnectorsAreNotLoaded() {
        TicketSync sync = sync(props());
        sync.load(TicketLink.newBuilder().setConnector("someone-else").setIncidentId("INC-10").setSeverity(Severity.SEV1)
                .setAppliedSequence(3).setUpdatedAt(Instant.EPOCH).build(), 0);
        sync.load(TicketLink.newBuilder().setConnector("tickets").setIncidentId("INC-11").setSeverity(Severity.SEV1)
                .setAppliedSequence(3).setUpdatedAt(Instant.EPOCH).build(), 2);
        assertThat(sync.size()).isEqualTo(1);
        sync.drop(Set.of(2));
        assertThat(sync.size()).isZero();
    }
}
