package dev.incidentengine.incident;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttachment;
import dev.incidentengine.model.AlertTrack;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.GlobalStores;
import dev.incidentengine.service.ObjectCachingStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * incident-stream (application.id {@value #APPLICATION_ID}): alerts become incidents, commands
 * become events. Dedupe runs in the alert's partition; correlation and the incident aggregate
 * share the task of the correlation key's partition, which incident ids name (see
 * {@link CorrelateAndDecide}):
 *
 * <pre>
 * alerts.v1 ─[alerts-source]─▶ [alert-dedupe] (alert-dedupe-store, alert-expiry-store; global: routes)
 *        ─▶ (alerts-by-correlation-key repartition)   news only
 *        ─▶ [incident-aggregate] (correlation-group-store, suppressed-alert-store, incident-id-store,
 *                                 incident-store, incident-alert-store, incident-timer-store;
 *                                 global: routes, silences, inhibit rules, inhibiting alerts, status pages)
 *              ├─▶ [incident-events-sink]      incident.events.v1
 *              ├─▶ [incident-state-sink]       incident.state.v1
 *              ├─▶ [incident-results-sink]     incident.command-results.v1
 *              ├─▶ [incident-commands-sink]    incident.commands.v1   (alerts moving to an incident of another task)
 *              ├─▶ [incident-suppressed-sink]  alerts.suppressed.v1
 *              └─▶ [incident-inhibiting-sink]  alerts.inhibiting.v1
 *
 * incident.commands.v1 ─[incident-commands-source]─▶ [incident-commands-check]
 *        ─▶ (incident-commands-by-owner repartition, by the partition the id names)
 *        ─▶ [incident-aggregate]
 * </pre>
 * Records that cannot be read, or that a processor refuses, go to the DLQ through Kafka's handlers.
 */
public final class IncidentTopology {

    public static final String APPLICATION_ID = "incident-stream";

    static final String ROUTES_STORE = "routes-store";
    static final String SILENCES_STORE = "silences-store";
    static final String INHIBIT_RULES_STORE = "inhibit-rules-store";
    static final String INHIBITING_STORE = "inhibiting-alerts-store";
    /** The status page config ({@code statusPages}): what the aggregate may publish, and when it publishes and reminds. */
    public static final String STATUS_PAGES_STORE = "status-pages-store";
    /** The response process an incident opens with and people work by ({@link ResponseRulesView}). */
    static final String ROLES_STORE = "roles-store";
    static final String INCIDENT_TYPES_STORE = "incident-types-store";
    static final String RUNBOOKS_STORE = "runbooks-store";
    static final String TIERS_STORE = "tiers-store";
    static final String SERVICES_STORE = "services-store";

    static final String DEDUPE = "alert-dedupe";
    static final String ALERTS_BY_KEY = "alerts-by-correlation-key";
    static final String COMMANDS_BY_OWNER = "incident-commands-by-owner";
    static final String AGGREGATE = "incident-aggregate";
    static final String DEDUPE_STORE = "alert-dedupe-store";
    static final String GROUP_STORE = "correlation-group-store";
    static final String SUPPRESSED_STORE = "suppressed-alert-store";
    static final String ID_STORE = "incident-id-store";
    static final String EXPIRY_STORE = "alert-expiry-store";

    static final String INCIDENT_STORE = "incident-store";
    /** Every alert of a correlation key: where it is attached and how it stands there ({@link AlertAttachments}). */
    static final String ALERT_STORE = "incident-alert-store";
    /**
     * Incidents and correlation groups kept as objects per task: the ones alerts are arriving for
     * (an incident of 20 alerts is about 10 KB on the heap).
     */
    private static final int CACHED_OBJECTS = 500;
    static final String TIMER_STORE = "incident-timer-store";

    private IncidentTopology() {
    }

    /** The topology for the default status page ({@value PublicationRules#DEFAULT_ID}). */
    public static Topology build(IncidentTopics topics, RecordSerdes serdes, LifecyclePolicy policy, MeterRegistry registry) {
        return build(topics, serdes, policy, PublicationRules.DEFAULT_ID, CommitPacing.fixed(), registry);
    }

    /**
     * @param statusPageId the id of the status page config incidents are published to
     * @param pacing       how often each sub-topology's tasks ask for a commit
     */
    public static Topology build(IncidentTopics topics, RecordSerdes serdes, LifecyclePolicy policy, String statusPageId,
                                 CommitPacing pacing, MeterRegistry registry) {
        IncidentMetrics metrics = new IncidentMetrics(registry);
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();

        GlobalStores.add(builder, ROUTES_STORE, topics.routes(), serdes);
        GlobalStores.add(builder, SILENCES_STORE, topics.silences(), serdes);
        GlobalStores.add(builder, INHIBIT_RULES_STORE, topics.inhibitRules(), serdes);
        GlobalStores.add(builder, INHIBITING_STORE, topics.inhibiting(), serdes);
        GlobalStores.add(builder, STATUS_PAGES_STORE, topics.statusPages(), serdes);
        GlobalStores.add(builder, ROLES_STORE, topics.roles(), serdes);
        GlobalStores.add(builder, INCIDENT_TYPES_STORE, topics.incidentTypes(), serdes);
        GlobalStores.add(builder, RUNBOOKS_STORE, topics.runbooks(), serdes);
        GlobalStores.add(builder, TIERS_STORE, topics.tiers(), serdes);
        GlobalStores.add(builder, SERVICES_STORE, topics.services(), serdes);

        // Dedupe in the alert's own partition; only news crosses to the task of its correlation key.
        builder.addStateStore(store(DEDUPE_STORE, serdes.serde(AlertTrack.class, false)));
        builder.addStateStore(store(EXPIRY_STORE, keys));
        KStream<String, SpecificRecord> alertsByKey = widen(builder
                .stream(topics.alerts().name(), Consumed.with(keys, topics.alerts().valueSerde(serdes)).withName("alerts-source"))
                .process(() -> new Dedupe(metrics, pacing), Named.as(DEDUPE), DEDUPE_STORE, EXPIRY_STORE)
                .repartition(Repartitioned.<String, Alert>as(ALERTS_BY_KEY)
                        .withKeySerde(keys).withValueSerde(topics.alerts().valueSerde(serdes))
                        .withNumberOfPartitions(topics.alerts().partitions())));

        // Commands go to the task their incident lives in: the partition its id names.
        KStream<String, SpecificRecord> commandsByOwner = widen(builder
                .stream(topics.commands().name(), Consumed.with(keys, topics.commands().valueSerde(serdes)).withName("incident-commands-source"))
                .processValues(pacing.passThrough(CorrelateAndDecide::check), Named.as("incident-commands-check"))
                .repartition(Repartitioned.<String, IncidentCommand>as(COMMANDS_BY_OWNER)
                        .withKeySerde(keys).withValueSerde(topics.commands().valueSerde(serdes))
                        .withNumberOfPartitions(topics.alerts().partitions())
                        .withStreamPartitioner(IncidentTopology::owner)));

        builder.addStateStore(ObjectCachingStore.builder(store(GROUP_STORE, serdes.serde(CorrelationGroup.class, false)), CACHED_OBJECTS));
        builder.addStateStore(store(SUPPRESSED_STORE, topics.suppressed().valueSerde(serdes)));
        builder.addStateStore(store(ID_STORE, Serdes.Long()));
        builder.addStateStore(ObjectCachingStore.builder(store(INCIDENT_STORE, topics.state().valueSerde(serdes)), CACHED_OBJECTS));
        builder.addStateStore(store(ALERT_STORE, serdes.serde(AlertAttachment.class, false)));
        builder.addStateStore(store(TIMER_STORE, keys));
        alertsByKey.merge(commandsByOwner, Named.as("incident-inputs"))
                .process(() -> new CorrelateAndDecide(policy, statusPageId, metrics, pacing), Named.as(AGGREGATE),
                        GROUP_STORE, SUPPRESSED_STORE, ID_STORE, INCIDENT_STORE, ALERT_STORE, TIMER_STORE)
                .split(Named.as("incident-"))
                .branch((k, v) -> v instanceof IncidentEvent, to(topics.events(), serdes, IncidentEvent.class, "incident-events-sink"))
                .branch((k, v) -> v instanceof IncidentState, to(topics.state(), serdes, IncidentState.class, "incident-state-sink"))
                .branch((k, v) -> v instanceof CommandResult, to(topics.commandResults(), serdes, CommandResult.class, "incident-results-sink"))
                .branch((k, v) -> v instanceof IncidentCommand, to(topics.commands(), serdes, IncidentCommand.class, "incident-commands-sink"))
                .branch((k, v) -> v instanceof SuppressedAlert, to(topics.suppressed(), serdes, SuppressedAlert.class, "incident-suppressed-sink"))
                .defaultBranch(Branched.withConsumer(s -> s
                        .mapValues(v -> ((Correlate.Inhibiting) v).alert(), Named.as("incident-inhibiting-cast"))
                        .to(topics.inhibiting().name(), Produced.with(keys, topics.inhibiting().valueSerde(serdes))
                                .withName("incident-inhibiting-sink")), "inhibiting"));
        return builder.build();
    }

    /**
     * The partition an incident id names; ids that are not ours go by their hash like any key.
     * Only commands for incidents that do not exist can have such ids (a merge into a made-up id).
     */
    private static Optional<Set<Integer>> owner(String topic, String incidentId, IncidentCommand command, int partitions) {
        int partition = Correlate.partitionOf(incidentId);
        return partition >= 0 && partition < partitions ? Optional.of(Set.of(partition)) : Optional.empty();
    }

    /**
     * A RocksDB store with a changelog. The incident and group stores also sit behind an
     * {@link ObjectCachingStore}: an incident taking twenty alerts in a burst is read without
     * deserializing and reaches RocksDB and the changelog once per commit. Dedupe's entries rarely
     * repeat within a commit (a sender repeats an alert minutes apart), so caching them only
     * filled the cache and made every put evict.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }

    private static <V> Branched<String, Object> to(Topic<String, V> topic, RecordSerdes serdes, Class<V> type, String sinkName) {
        Consumer<KStream<String, Object>> sink = s -> s
                .mapValues(type::cast, Named.as(sinkName + "-cast"))
                .to(topic.name(), Produced.with(topic.keySerde(serdes), topic.valueSerde(serdes)).withName(sinkName));
        return Branched.withConsumer(sink, sinkName);
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> KStream<String, SpecificRecord> widen(KStream<String, V> stream) {
        return (KStream<String, SpecificRecord>) (KStream<String, ?>) stream;
    }
}
