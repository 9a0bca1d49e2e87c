package dev.incidentengine.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The model records survive a trip through a real broker with the production serdes. */
@WithKafka
class BrokerRoundTripIT {

    private final KafkaTestCluster kafka;

    BrokerRoundTripIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @Test
    void alertRoundTripsKeyedByFingerprint() {
        Topic<String, Alert> alerts = kafka.createTopic(Topics.ALERTS);
        Alert alert = Samples.alert("fp-checkout-5xx").build();

        kafka.produce(alerts, List.of(Map.entry(alert.getFingerprint(), alert)));

        ConsumerRecord<String, Alert> read = kafka.consume(alerts, 1, Duration.ofSeconds(30)).get(0);
        assertThat(read.key()).isEqualTo("fp-checkout-5xx");
        assertThat(read.value()).isEqualTo(alert);
    }

    @Test
    void commandAndEventRoundTripTransactionally_andAbortedWritesStayInvisible() {
        Topic<String, IncidentCommand> commands = kafka.createTopic(Topics.INCIDENT_COMMANDS);
        Topic<String, IncidentEvent> events = kafka.createTopic(Topics.INCIDENT_EVENTS);
        IncidentCommand ack = Samples.acknowledge("INC-20261122-0001", "cmd-1").build();
        IncidentEvent opened = Samples.opened("INC-20261122-0001", "evt-1").build();
        IncidentEvent aborted = Samples.opened("INC-20261122-0002", "evt-aborted").build();

        try (KafkaProducer<String, IncidentCommand> commandProducer = kafka.producer(commands,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "round-trip-commands"));
             KafkaProducer<String, IncidentEvent> eventProducer = kafka.producer(events,
                     Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "round-trip-events"))) {
            commandProducer.initTransactions();
            commandProducer.beginTransaction();
            commandProducer.send(new ProducerRecord<>(commands.name(), ack.getIncidentId(), ack));
            commandProducer.commitTransaction();

            eventProducer.initTransactions();
            eventProducer.beginTransaction();
            eventProducer.send(new ProducerRecord<>(events.name(), aborted.getIncidentId(), aborted));
            eventProducer.flush();
            eventProducer.abortTransaction();
            eventProducer.beginTransaction();
            eventProducer.send(new ProducerRecord<>(events.name(), opened.getIncidentId(), opened));
            eventProducer.commitTransaction();
        }

        List<ConsumerRecord<String, IncidentCommand>> readCommands = kafka.consume(commands, 1, Duration.ofSeconds(30));
        assertThat(readCommands).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("INC-20261122-0001");
            assertThat(record.value()).isEqualTo(ack);
            assertThat(record.value().getPayload()).isInstanceOf(AcknowledgeIncident.class);
        });
        List<ConsumerRecord<String, IncidentEvent>> readEvents = kafka.consume(events, 1, Duration.ofSeconds(30));
        assertThat(readEvents).singleElement().satisfies(record -> {
            assertThat(record.value()).isEqualTo(opened);
            assertThat(record.value().getPayload()).isInstanceOf(IncidentOpened.class);
        });
    }
}
