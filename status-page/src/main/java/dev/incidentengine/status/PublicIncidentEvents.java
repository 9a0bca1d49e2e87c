package dev.incidentengine.status;

import java.util.Set;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.schemas.EventHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The events of published incidents that move the page, keyed by the page's id. The {@code incident.public} header
 * tells a published incident's events without reading them, so the rest of the incidents log (nearly all of it) is
 * skipped undeserialized; of the public ones, only the kinds that move the page go on.
 */
final class PublicIncidentEvents implements Processor<String, byte[], String, IncidentEvent> {

    private static final Set<Class<?>> MOVES_THE_PAGE = Set.of(IncidentPublished.class, PublicUpdatePosted.class, SeverityChanged.class);

    private final String pageId;
    private final Deserializer<IncidentEvent> events;
    private ProcessorContext<String, IncidentEvent> context;

    PublicIncidentEvents(String pageId, Deserializer<IncidentEvent> events) {
        this.pageId = pageId;
        this.events = events;
    }

    @Override
    public void init(ProcessorContext<String, IncidentEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (!EventHeaders.isPublic(record.headers()) || record.value() == null) {
            return;
        }
        // Unreadable: Kafka's processing handler puts the record on the DLQ with this error.
        String topic = context.recordMetadata().map(metadata -> metadata.topic()).orElse(null);
        IncidentEvent event = events.deserialize(topic, record.headers(), record.value());
        if (MOVES_THE_PAGE.contains(event.getPayload().getClass())) {
            context.forward(new Record<>(pageId, event, record.timestamp()));
        }
    }
}
