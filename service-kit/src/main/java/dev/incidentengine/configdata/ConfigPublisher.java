package dev.incidentengine.configdata;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes config entries to their compacted topics in one transaction: all of them or none. */
public final class ConfigPublisher {

    /** The producer's transactional id: one loader at a time, a second one fences the first. */
    public static final String TRANSACTIONAL_ID = "incident-config-loader";

    private ConfigPublisher() {
    }

    /** What {@link #publish} does on Kafka, for the user that applies config ({@code incidentctl config apply}). */
    public static ServiceAccess access(String user) {
        return ServiceAccess.of(user).writes(ConfigData.kinds().values()).transactionalId(TRANSACTIONAL_ID);
    }

    /** @return how many records were written per topic */
    public static Map<String, Integer> publish(List<ConfigData.Entry> entries, Map<String, Object> producerProps,
                                               RecordSerdes serdes) {
        Map<String, Object> props = new TreeMap<>(producerProps);
        props.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        Map<String, Integer> counts = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            try {
                for (ConfigData.Entry entry : entries) {
                    producer.send(record(entry, serdes));
                    counts.merge(entry.topic().name(), 1, Integer::sum);
                }
                producer.commitTransaction();
            } catch (RuntimeException e) {
                producer.abortTransaction();
                throw e;
            }
        }
        return counts;
    }

    @SuppressWarnings("unchecked")
    private static ProducerRecord<byte[], byte[]> record(ConfigData.Entry entry, RecordSerdes serdes) {
        Topic<String, SpecificRecord> topic = (Topic<String, SpecificRecord>) entry.topic();
        byte[] key = topic.keySerde(serdes).serializer().serialize(topic.name(), entry.id());
        byte[] value = topic.valueSerde(serdes).serializer().serialize(topic.name(), entry.value());
        return new ProducerRecord<>(topic.name(), key, value);
    }
}
