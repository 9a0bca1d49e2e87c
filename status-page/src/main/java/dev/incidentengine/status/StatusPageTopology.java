package dev.incidentengine.status;

import java.time.Duration;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.StatusPageState;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.status.domain.StatusPage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The status page's writer (application.id {@value #APPLICATION_ID}): the only writer of the page's log.
 *
 * <pre>
 * incident.events.v1 ─[status-incident-events-source]─▶ [status-public-incident-events] (header incident.public, kind)
 *        ─▶ (status-incident-events-by-page repartition, 1 partition, key: page id) ─▶ [status-incidents-input] ─┐
 * status.commands.v1 ─[status-commands-source]─▶ [status-commands-input] ─────────────────────────────────────────┤
 * config.status-pages.v1 ─[status-config-source]─▶ [status-config-input] ─────────────────────────────────────────┤
 * config.silences.v1 ─[status-silences-source]─▶ [status-silences-input] ─────────────────────────────────────────┤
 *        ─▶ [status-inputs] ─▶ [status-page-writer] (status-page-store; wall-clock punctuation)
 *        ─▶ [status-page-sink] status.page.v1 (key: page id)
 * </pre>
 * Every input is on one partition, so one task holds the page and writes its log in one order, exactly once. Records
 * that cannot be read, or that the writer refuses for a cap, go to the DLQ through Kafka's handlers.
 */
public final class StatusPageTopology {

    public static final String APPLICATION_ID = "status-page";

    static final String PUBLIC_EVENTS = "status-public-incident-events";
    static final String EVENTS_BY_PAGE = "status-incident-events-by-page";
    static final String WRITER = "status-page-writer";
    static final String STATE_STORE = "status-page-store";

    private StatusPageTopology() {
    }

    /**
     * @param pageId      the page written; records of others are skipped
     * @param punctuation how often (wall clock) maintenance is moved on: the most it starts or completes late
     */
    public static Topology build(StatusTopics topics, RecordSerdes serdes, String pageId, Duration punctuation, StatusPage.Limits limits,
                                 MeterRegistry metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();
        Serde<IncidentEvent> events = topics.incidentEvents().valueSerde(serdes);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), keys,
                serdes.serde(StatusPageState.class, false)));

        KStream<String, PageInput> incidents = builder
                .stream(topics.incidentEvents().name(), Consumed.with(keys, Serdes.ByteArray()).withName("status-incident-events-source"))
                .process(() -> new PublicIncidentEvents(pageId, events.deserializer()), Named.as(PUBLIC_EVENTS))
                .repartition(Repartitioned.<String, IncidentEvent>as(EVENTS_BY_PAGE).withKeySerde(keys).withValueSerde(events)
                        .withNumberOfPartitions(1))
                .mapValues(event -> (PageInput) new PageInput.Incident(event), Named.as("status-incidents-input"));
        KStream<String, PageInput> commands = builder
                .stream(topics.commands().name(), Consumed.with(keys, topics.commands().valueSerde(serdes)).withName("status-commands-source"))
                .mapValues(command -> (PageInput) new PageInput.Command(command), Named.as("status-commands-input"));
        KStream<String, PageInput> config = builder
                .stream(topics.config().name(), Consumed.with(keys, topics.config().valueSerde(serdes)).withName("status-config-source"))
                .mapValues((id, value) -> (PageInput) new PageInput.Config(id, value), Named.as("status-config-input"));
        KStream<String, PageInput> silences = builder
                .stream(topics.silences().name(), Consumed.with(keys, topics.silences().valueSerde(serdes)).withName("status-silences-source"))
                .mapValues((id, value) -> (PageInput) new PageInput.Silence(id, value), Named.as("status-silences-input"));

        incidents.merge(commands, Named.as("status-inputs-commands"))
                .merge(config, Named.as("status-inputs-config"))
                .merge(silences, Named.as("status-inputs"))
                .process(() -> new PageWriter(new StatusPage(pageId, limits), punctuation, metrics), Named.as(WRITER), STATE_STORE)
                .to(topics.page().name(), Produced.with(keys, topics.page().valueSerde(serdes)).withName("status-page-sink"));
        return builder.build();
    }
}
