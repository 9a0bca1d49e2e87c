package dev.incidentengine.service;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Collects configuration: a properties file first, then environment variables, which win.
 * {@code INCIDENT_HTTP_PORT} becomes {@code http.port}; {@code KAFKA_BOOTSTRAP_SERVERS} becomes
 * {@code kafka.bootstrap.servers} and so reaches the Kafka clients. {@code INCIDENT_CONFIG_FILE}
 * names the file when no path is given. {@code INCIDENT_SECRET_*} variables are secrets (the
 * notifier's channel credentials), never configuration.
 */
public final class ConfigSources {

    public static final String CONFIG_FILE_ENV = "INCIDENT_CONFIG_FILE";
    /** Environment variables holding secrets: {@code INCIDENT_SECRET_<NAME>}. */
    public static final String SECRET_ENV_PREFIX = "INCIDENT_SECRET_";
    private static final String ENGINE_PREFIX = "INCIDENT_";
    private static final String KAFKA_PREFIX = "KAFKA_";

    private ConfigSources() {
    }

    /** Loads {@code file} (may be null: then {@code INCIDENT_CONFIG_FILE}, else none) and overlays {@code env}. */
    public static Map<String, String> load(Path file, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        Path source = file != null ? file : env.containsKey(CONFIG_FILE_ENV) ? Path.of(env.get(CONFIG_FILE_ENV)) : null;
        if (source != null) {
            values.putAll(readProperties(source));
        }
        values.putAll(fromEnvironment(env));
        return values;
    }

    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.equals(CONFIG_FILE_ENV) || name.startsWith(SECRET_ENV_PREFIX)) {
                return;
            }
            if (name.startsWith(ENGINE_PREFIX)) {
                values.put(toKey(name.substring(ENGINE_PREFIX.length())), value);
            } else if (name.startsWith(KAFKA_PREFIX)) {
                values.put(EngineConfig.KAFKA_PREFIX + toKey(name.substring(KAFKA_PREFIX.length())), value);
            }
        });
        return values;
    }

    private static String toKey(String variable) {
        return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read config file " + file, e);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        return values;
    }
}
