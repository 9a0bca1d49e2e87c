package dev.incidentengine.service;

import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/** Recognizes settings whose values must never reach a log. */
public final class Secrets {

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passphrase|secret|token|sasl\\.jaas\\.config|credentials|private\\.key|user\\.info|api[._-]?key|integration[._-]?key).*");

    /**
     * What the Kafka clients themselves type as passwords (ssl.keystore.key, ssl.key.password, sasl.jaas.config, ...), so
     * a secret setting of a later Kafka release is hidden without a name rule; under {@code kafka.} and any Streams
     * prefix ({@code producer.}, {@code main.consumer.}, ...) alike.
     */
    private static final Set<String> KAFKA_PASSWORDS = Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                    AdminClientConfig.configDef(), StreamsConfig.configDef())
            .flatMap(definition -> definition.configKeys().values().stream())
            .filter(key -> key.type == ConfigDef.Type.PASSWORD)
            .map(key -> key.name)
            .collect(Collectors.toUnmodifiableSet());

    private Secrets() {
    }

    public static boolean isSecretKey(String key) {
        if (SECRET_KEY.matcher(key).matches()) {
            return true;
        }
        for (int dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) {
            if (KAFKA_PASSWORDS.contains(key.substring(dot + 1))) {
                return true;
            }
        }
        return KAFKA_PASSWORDS.contains(key);
    }
}
