package dev.incidentengine.notifier;

import java.time.Duration;

import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.plan.WarRooms;
import dev.incidentengine.notifier.status.StatusFanout;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.GlobalStores;
import dev.incidentengine.service.ObjectCachingStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The notifier's planner (application.id {@value #APPLICATION_ID}): incident events and delivery
 * results in, rendered and addressed notification requests out, exactly once.
 *
 * <pre>
 * incident.events.v1      ─[notifier-events-source]──┐
 * notification.results.v1 ─[notifier-results-source]─┴─[notifier-inputs]─▶ [notification-planner]
 *        (notification-plan-store, notification-timer-store, notification-warroom-store; global: users, services, channels, teams)
 *   ─▶ [notification-requests-sink] notification.requests.v1   (what the sender delivers)
 *   ─▶ [notification-failures-sink] notification.results.v1    (pages that cannot be addressed)
 *   ─▶ [warroom-commands-sink]       incident.commands.v1       (LinkWarRoom, RecordWarRoomArchived: {@link WarRooms})
 * </pre>
 * With status page subscribers, {@link StatusFanout}'s sub-topology too: status.page.v1 to requests for subscribers.
 * The sender ({@link Sender}) is a plain consumer of the requests: a delivery is a side effect no
 * Kafka transaction can take back.
 */
public final class NotifierTopology {

    /** Plans kept as objects per task: those of the incidents events are arriving for. */
    private static final int CACHED_PLANS = 500;

    public static final String APPLICATION_ID = "notifier";

    static final String PLANNER = "notification-planner";
    static final String PLAN_STORE = "notification-plan-store";
    static final String TIMER_STORE = "notification-timer-store";
    static final String USERS_STORE = "notifier-users-store";
    static final String SERVICES_STORE = "notifier-services-store";
    static final String CHANNELS_STORE = "notifier-channels-store";
    static final String TEAMS_STORE = "notifier-teams-store";
    static final String WAR_ROOM_STORE = "notification-warroom-store";
    static final String ROLES_STORE = "notifier-roles-store";

    private NotifierTopology() {
    }

    /** Status page subscribers' part: their links' base URL, and how long a confirmation link works. */
    public record StatusSubscribers(String statusUrl, Duration confirmWithin) {
    }

    /** Without status page subscribers or war rooms. */
    public static Topology build(NotifierTopics topics, RecordSerdes serdes, Planner planner, Composer composer, Duration punctuation) {
        return build(topics, serdes, planner, composer, punctuation, null, null, WarRooms.NONE, CommitPacing.fixed());
    }

    /**
     * @param punctuation how often due contact steps are looked for (wall clock)
     * @param status      null: status page subscribers are not served ({@link StatusFanout})
     * @param maxEventAge page events older than this tell no subscriber
     * @param warRooms    the incidents' war rooms ({@link WarRooms#NONE}: none)
     * @param pacing      how often the tasks ask for a commit
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Topology build(NotifierTopics topics, RecordSerdes serdes, Planner planner, Composer composer, Duration punctuation,
                                 StatusSubscribers status, Duration maxEventAge, WarRooms warRooms, CommitPacing pacing) {
        StreamsBuilder builder = new StreamsBuilder();
        GlobalStores.add(builder, USERS_STORE, topics.users(), serdes);
        GlobalStores.add(builder, SERVICES_STORE, topics.services(), serdes);
        GlobalStores.add(builder, CHANNELS_STORE, topics.channels(), serdes);
        GlobalStores.add(builder, ROLES_STORE, topics.roles(), serdes);
        // Plans as objects: a storm's alerts each count in their incident's plan, which then reaches RocksDB and
        // its changelog once per commit instead of being read and written whole for every alert.
        builder.addStateStore(ObjectCachingStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PLAN_STORE),
                Serdes.String(), serdes.serde(NotificationPlan.class, false)), CACHED_PLANS));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMER_STORE), Serdes.String(), Serdes.String()));
        // Incidents with a war room (or a drill waiting for one), as JSON: few, and each small.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WAR_ROOM_STORE), Serdes.String(), Serdes.String()));
        // Events and results share one processor (both keyed by incident id, co-partitioned), so their values are Objects here.
        KStream<String, Object> events = builder.stream(topics.events().name(),
                Consumed.with(Serdes.String(), (Serde) topics.events().valueSerde(serdes)).withName("notifier-events-source"));
        KStream<String, Object> results = builder.stream(topics.results().name(),
                Consumed.with(Serdes.String(), (Serde) topics.results().valueSerde(serdes)).withName("notifier-results-source"));
        KStream<String, SpecificRecord> out = events.merge(results, Named.as("notifier-inputs"))
                .process(() -> new PlanNotifications(planner, composer, warRooms, punctuation, pacing), Named.as(PLANNER), PLAN_STORE, TIMER_STORE,
                        WAR_ROOM_STORE);
        out.filter((key, value) -> value instanceof NotificationRequest, Named.as("notification-requests-only"))
                .to(topics.requests().name(), Produced.with(Serdes.String(), (Serde) topics.requests().valueSerde(serdes))
                        .withName("notification-requests-sink"));
        out.filter((key, value) -> value instanceof NotificationResult, Named.as("notification-failures-only"))
                .to(topics.results().name(), Produced.with(Serdes.String(), (Serde) topics.results().valueSerde(serdes))
                        .withName("notification-failures-sink"));
        out.filter((key, value) -> value instanceof IncidentCommand, Named.as("warroom-commands-only"))
                .to(topics.commands().name(), Produced.with(Serdes.String(), (Serde) topics.commands().valueSerde(serdes))
                        .withName("warroom-commands-sink"));
        if (status != null) {
            // Added last, so the planner's sub-topologies (and their task ids) stay as they were.
            // A batch of a fan-out goes on every 100 ms at most: 10,000 subscribers take 2 s of planning.
            StatusFanout.add(builder, topics.statusPage(), topics.subscribers(), topics.requests(), serdes, status.statusUrl(), maxEventAge,
                    status.confirmWithin(), punctuation.compareTo(Duration.ofMillis(100)) < 0 ? punctuation : Duration.ofMillis(100), pacing);
        }
        // Last too: teams came with war rooms.
        GlobalStores.add(builder, TEAMS_STORE, topics.teams(), serdes);
        return builder.build();
    }
}
