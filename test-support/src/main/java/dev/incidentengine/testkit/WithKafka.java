package dev.incidentengine.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that talks to a real Kafka: parameters of type {@link KafkaTestCluster} are
 * resolved to the one broker of this test JVM (or the external cluster named by
 * {@code KAFKA_BOOTSTRAP_SERVERS}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaClusterExtension.class)
public @interface WithKafka {
}
