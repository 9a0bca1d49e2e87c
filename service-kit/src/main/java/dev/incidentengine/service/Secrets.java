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
            "(?i).*(password|passphrase|secret|token|sasl\\.jaas\\.config|credentials|api[._-]?key|integration[._-]?key).*");

    /**
     * The Kafka clients' own secrets: every setting they declare a password (a PEM key in {@code ssl.keystore.key}, OAuth
     * assertion keys' passphrases, …), so one a later Kafka adds is hidden too.
     */
    private static final Set<String> KAFKA_PASSWORDS = Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                    AdminClientConfig.configDef(), StreamsConfig.configDef())
            .flatMap(def -> def.configKeys().values().stream())
            .filter(key -> key.type == ConfigDef.Type.PASSWORD)
            .map(key -> key.name)
            .collect(Collectors.toUnmodifiableSet());

    private Secrets() {
    }

    /** Whether the setting holds a secret; {@code kafka.ssl.key.password} and {@code kafka.producer.sasl.jaas.config} do. */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches() || KAFKA_PASSWORDS.stream().anyMatch(name -> key.equals(name) || key.endsWith("." + name));
    }
}
