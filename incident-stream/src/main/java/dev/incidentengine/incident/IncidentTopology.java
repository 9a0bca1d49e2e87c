package dev.incidentengine.incident;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.DeadLetters;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The incident aggregate as a Streams topology (application.id {@value #APPLICATION_ID}): each
 * command, keyed by incident id, is decided against the incident's state; the events go to the
 * log, the new state to the compacted state topic and to the changelogged store.
 *
 * <pre>
 * incident.commands.v1 ─[incident-commands-source]─▶ [incident-decide] (incident-store)
 *        ├─▶ [incident-events-sink] incident.events.v1
 *        ├─▶ [incident-state-sink]  incident.state.v1
 *        └─▶ [incident-dlq-sink]    incident.dlq.v1   (commands whose key is not their incident)
 * </pre>
 * Unreadable records and processor failures go to the same DLQ through Kafka's handlers.
 */
public final class IncidentTopology {

    public static final String APPLICATION_ID = "incident-stream";
    public static final String SOURCE = "incident-commands-source";
    public static final String DECIDE = "incident-decide";
    public static final String STORE = "incident-store";
    public static final String EVENTS_SINK = "incident-events-sink";
    public static final String STATE_SINK = "incident-state-sink";
    public static final String DLQ_SINK = "incident-dlq-sink";

    private IncidentTopology() {
    }

    public static Topology build(IncidentTopics topics, RecordSerdes serdes, IncidentLifecycle lifecycle) {
        StoreBuilder<KeyValueStore<String, IncidentState>> store = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), topics.state().valueSerde(serdes));
        ProcessorSupplier<String, IncidentCommand, Object, Object> decide = new ProcessorSupplier<>() {
            @Override
            public Processor<String, IncidentCommand, Object, Object> get() {
                return new Decide(lifecycle, topics.commands().valueSerde(serdes).serializer(), topics.commands().name());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(store);
            }
        };
        Topology topology = new Topology();
        topology.addSource(SOURCE, topics.commands().keySerde(serdes).deserializer(),
                topics.commands().valueSerde(serdes).deserializer(), topics.commands().name());
        topology.addProcessor(DECIDE, decide, SOURCE);
        topology.addSink(EVENTS_SINK, topics.events().name(), topics.events().keySerde(serdes).serializer(),
                topics.events().valueSerde(serdes).serializer(), DECIDE);
        topology.addSink(STATE_SINK, topics.state().name(), topics.state().keySerde(serdes).serializer(),
                topics.state().valueSerde(serdes).serializer(), DECIDE);
        topology.addSink(DLQ_SINK, topics.deadLetters().name(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), DECIDE);
        return topology;
    }

    /** Loads the state, decides, forwards the events and the new state, stores it. */
    static final class Decide implements Processor<String, IncidentCommand, Object, Object> {

        private final IncidentLifecycle lifecycle;
        private final org.apache.kafka.common.serialization.Serializer<IncidentCommand> commandSerializer;
        private final String commandTopic;
        private ProcessorContext<Object, Object> context;
        private KeyValueStore<String, IncidentState> store;

        Decide(IncidentLifecycle lifecycle, org.apache.kafka.common.serialization.Serializer<IncidentCommand> commandSerializer,
               String commandTopic) {
            this.lifecycle = lifecycle;
            this.commandSerializer = commandSerializer;
            this.commandTopic = commandTopic;
        }

        @Override
        public void init(ProcessorContext<Object, Object> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, IncidentCommand> record) {
            IncidentCommand command = record.value();
            if (command == null || !command.getIncidentId().equals(record.key())) {
                deadLetter(record, command == null ? "no command in the record"
                        : "record key '" + record.key() + "' is not the command's incident '" + command.getIncidentId() + "'");
                return;
            }
            IncidentState state = store.get(record.key());
            List<IncidentEvent> events = lifecycle.decide(command, state);
            IncidentState next = state;
            for (IncidentEvent event : events) {
                context.forward(new Record<>(record.key(), event, record.timestamp()), EVENTS_SINK);
                if (!(event.getPayload() instanceof CommandRejected) || next != null) {
                    next = lifecycle.evolve(next, event);
                }
            }
            if (next != null && next != state) {
                store.put(record.key(), next);
                context.forward(new Record<>(record.key(), next, record.timestamp()), STATE_SINK);
            }
        }

        private void deadLetter(Record<String, IncidentCommand> record, String reason) {
            byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
            byte[] value = record.value() == null ? null : commandSerializer.serialize(commandTopic, record.value());
            context.forward(new Record<Object, Object>(key, value, record.timestamp(), DeadLetters.headers(record.headers(),
                    "invalid-command", reason, DECIDE, context.recordMetadata(), Instant.now())), DLQ_SINK);
        }
    }
}
