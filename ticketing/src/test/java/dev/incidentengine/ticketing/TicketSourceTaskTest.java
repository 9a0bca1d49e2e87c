package dev.incidentengine.ticketing;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.SingleObjectAvroSerde;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The polling source against the local ticket server: people's changes become commands, the cursor the offset. */
class TicketSourceTaskTest {

    private final SingleObjectAvroSerde<IncidentCommand> serde = new SingleObjectAvroSerde<>(IncidentCommand.class);
    private LocalTicketServer server;
    private LocalTicketSystem system;
    private Map<String, Object> storedOffset;

    @BeforeEach
    void start() throws Exception {
        server = new LocalTicketServer(null);
        system = new LocalTicketSystem(TicketHttp.create("local", TicketHttp.Retry.DEFAULT, Duration.ofSeconds(5)), server.url(), null);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TicketSourceTask task(String... settings) {
        Map<String, String> props = new HashMap<>();
        props.put(TicketConfig.SYSTEM, LocalTicketSystem.SYSTEM);
        props.put(LocalTicketSystem.URL, server.url());
        props.put(TicketConfig.POLL_INTERVAL_MS, "100");
        props.put(TicketConfig.POLL_MAX_CHANGES, "2");
        for (int i = 0; i < settings.length; i += 2) {
            props.put(settings[i], settings[i + 1]);
        }
        TicketSourceTask task = new TicketSourceTask();
        task.initialize(new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return props;
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return storedOffset;
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        throw new UnsupportedOperationException();
                    }
                };
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return null;
            }
        });
        TicketConfig config = new TicketConfig(TicketConfig.sourceDef(props), props);
        task.start(config, system, new TicketMetrics(), Clock.systemUTC());
        return task;
    }

    private TicketRef ticket(String incidentId, String actionItemId) throws TicketException {
        return system.create(new NewTicket(new Subject(incidentId, actionItemId), "summary", "description", Severity.SEV1, "checkout",
                List.of(), null, Map.of()));
    }

    private List<IncidentCommand> commands(List<SourceRecord> records) {
        return records.stream().map(record -> serde.deserialize("t", (byte[]) record.value())).toList();
    }

    @Test
    void resolutionsReopeningsAndCommentsBecomeCommandsWithTheCursorOnThePagesLastRecord() throws Exception {
        storedOffset = Map.of(TicketSourceTask.CURSOR, "0");
        TicketRef incident = ticket("INC-1", null);
        TicketRef item = ticket("INC-1", "AI-1");
        server.personChanged(incident.getKey(), "resolved", "bob", "Bob Example", "cache flushed");
        server.personChanged(incident.getKey(), "commented", "bob", "Bob Example", "ignored by default");
        server.personChanged(incident.getKey(), "reopened", "carol", null, null);
        server.personChanged(item.getKey(), "closed", "bob", "Bob Example", null);
        TicketSourceTask task = task(TicketConfig.INBOUND_COMMENTS, "false");

        List<SourceRecord> first = task.poll(); // a page of 2: the resolution, and the comment that is ignored
        assertThat(first).hasSize(1);
        assertThat(first.get(0).sourceOffset()).isEqualTo(Map.of(TicketSourceTask.CURSOR, "2"));
        IncidentCommand resolve = commands(first).get(0);
        assertThat(resolve.getCommandId()).isEqualTo("local:1");
        assertThat(resolve.getIncidentId()).isEqualTo("INC-1");
        assertThat(resolve.getActor().getType()).isEqualTo(ActorType.INTEGRATION);
        assertThat(resolve.getActor().getId()).isEqualTo("local:bob");
        assertThat(((ResolveIncident) resolve.getPayload()).getResolution()).isEqualTo("local " + incident.getKey() + " resolved by Bob Example: cache flushed");
        assertThat(new String((byte[]) first.get(0).key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("INC-1");

        List<SourceRecord> second = task.poll(); // a full page before: read at once
        assertThat(commands(second)).extracting(IncidentCommand::getPayload)
                .satisfiesExactly(reopen -> assertThat(reopen).isInstanceOf(ReopenIncident.class),
                        complete -> assertThat(((CompleteActionItem) complete).getActionItemId()).isEqualTo("AI-1"));
        assertThat(second.get(0).sourceOffset()).isEqualTo(Map.of(TicketSourceTask.CURSOR, "2"));
        assertThat(second.get(1).sourceOffset()).isEqualTo(Map.of(TicketSourceTask.CURSOR, "4"));
        task.stop();
    }

    @Test
    void asNotesWhenConfiguredSo() throws Exception {
        storedOffset = Map.of(TicketSourceTask.CURSOR, "0");
        TicketRef incident = ticket("INC-2", null);
        server.personChanged(incident.getKey(), "resolved", "bob", "Bob Example", null);
        server.personChanged(incident.getKey(), "commented", "bob", "Bob Example", "a comment");
        TicketSourceTask task = task(TicketConfig.INBOUND_RESOLUTION, "note", TicketConfig.INBOUND_COMMENTS, "true");
        assertThat(commands(task.poll())).extracting(IncidentCommand::getPayload).allSatisfy(payload -> assertThat(payload).isInstanceOf(AddNote.class))
                .extracting(payload -> ((AddNote) payload).getText())
                .containsExactly("local " + incident.getKey() + " resolved by Bob Example", "local " + incident.getKey() + " commented on by Bob Example: a comment");
        task.stop();
    }

    @Test
    void withoutAStoredCursorItStartsFromNow() throws Exception {
        storedOffset = null;
        TicketRef incident = ticket("INC-3", null);
        server.personChanged(incident.getKey(), "resolved", "bob", "Bob Example", null);
        TicketSourceTask task = task();
        assertThat(task.poll()).isNull();
        server.personChanged(incident.getKey(), "reopened", "bob", "Bob Example", null);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            List<SourceRecord> records = task.poll();
            return records != null && commands(records).get(0).getPayload() instanceof ReopenIncident;
        });
        task.stop();
    }
}
