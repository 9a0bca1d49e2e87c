package dev.incidentengine.escalation;

import java.time.Duration;

import dev.incidentengine.model.EscalationState;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.GlobalStores;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * escalation-stream (application.id {@value #APPLICATION_ID}): incident events in, escalations out.
 *
 * <pre>
 * incident.events.v1 ─[escalation-events-source]─▶ [escalation] (escalation-store, escalation-timer-store, escalation-turns-store;
 *                                                    global: policies, schedules, teams, services, users, overrides)
 *        ─▶ [escalation-commands-sink] incident.commands.v1   (EscalateIncident)
 *                  ─▶ [request-roles] (role-watch-store, role-timer-store; global: roles and the above)
 *        ─▶ [role-requests-sink] incident.commands.v1   (RequestRole: a required role still free)
 * </pre>
 * Records that cannot be read, or that the processor refuses, go to the DLQ through Kafka's handlers.
 */
public final class EscalationTopology {

    public static final String APPLICATION_ID = "escalation-stream";

    static final String ESCALATE = "escalation";
    static final String STATE_STORE = "escalation-store";
    static final String TIMER_STORE = "escalation-timer-store";
    /** Round-robin turns per policy and level; each partition takes its own turns. */
    static final String TURNS_STORE = "escalation-turns-store";
    static final String POLICIES_STORE = "escalation-policies-store";
    static final String SCHEDULES_STORE = "schedules-store";
    static final String TEAMS_STORE = "teams-store";
    static final String SERVICES_STORE = "services-store";
    static final String USERS_STORE = "users-store";
    static final String OVERRIDES_STORE = "oncall-overrides-store";
    static final String REQUEST_ROLES = "request-roles";
    /** Per incident, what its required roles wait for ({@code RolePaging.Watch}); and their requests by deadline. */
    static final String ROLE_WATCH_STORE = "role-watch-store";
    static final String ROLE_TIMER_STORE = "role-timer-store";
    static final String ROLES_STORE = "roles-store";

    private EscalationTopology() {
    }

    /**
     * @param punctuation how often due timers are looked for (wall clock)
     * @param metrics     where {@code incident_escalations_total{level}} is counted
     */
    public static Topology build(EscalationTopics topics, RecordSerdes serdes, Duration punctuation, MeterRegistry metrics) {
        return build(topics, serdes, punctuation, CommitPacing.fixed(), metrics);
    }

    /** @param pacing how often the tasks ask for a commit */
    public static Topology build(EscalationTopics topics, RecordSerdes serdes, Duration punctuation, CommitPacing pacing,
                                 MeterRegistry metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        GlobalStores.add(builder, POLICIES_STORE, topics.policies(), serdes);
        GlobalStores.add(builder, SCHEDULES_STORE, topics.schedules(), serdes);
        GlobalStores.add(builder, TEAMS_STORE, topics.teams(), serdes);
        GlobalStores.add(builder, SERVICES_STORE, topics.services(), serdes);
        GlobalStores.add(builder, USERS_STORE, topics.users(), serdes);
        GlobalStores.add(builder, OVERRIDES_STORE, topics.overrides(), serdes);
        GlobalStores.add(builder, ROLES_STORE, topics.roles(), serdes);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(),
                serdes.serde(EscalationState.class, false)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMER_STORE), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TURNS_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ROLE_WATCH_STORE), Serdes.String(),
                RequestRoles.WATCH_SERDE));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ROLE_TIMER_STORE), Serdes.String(), Serdes.String()));
        KStream<String, IncidentEvent> events = builder.stream(topics.events().name(),
                Consumed.with(Serdes.String(), topics.events().valueSerde(serdes)).withName("escalation-events-source"));
        events.process(() -> new RequestRoles(punctuation, metrics), Named.as(REQUEST_ROLES), ROLE_WATCH_STORE, ROLE_TIMER_STORE)
                .to(topics.commands().name(), Produced.with(Serdes.String(), topics.commands().valueSerde(serdes))
                        .withName("role-requests-sink"));
        events.process(() -> new Escalate(punctuation, pacing, metrics), Named.as(ESCALATE), STATE_STORE, TIMER_STORE, TURNS_STORE)
                .to(topics.commands().name(), Produced.with(Serdes.String(), topics.commands().valueSerde(serdes))
                        .withName("escalation-commands-sink"));
        return builder.build();
    }
}
