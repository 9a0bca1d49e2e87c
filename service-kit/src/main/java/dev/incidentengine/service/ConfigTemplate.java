package dev.incidentengine.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * Writes a service distribution's {@code config/} at build time: {@code <service>.properties}, every setting of the
 * service's {@link ConfigDef} documented (doc, type, default, valid values, environment variable) and commented out,
 * then the Kafka client section ({@code kafka-settings.properties} beside this class); and the {@code logback.xml}
 * the services log with. Generated from the definition, so the template cannot miss a setting.
 */
public final class ConfigTemplate {

    private static final String RULE = "#".repeat(100);

    private ConfigTemplate() {
    }

    /** {@code <service> <config class with a static CONFIG_DEF> <output directory>}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("Usage: ConfigTemplate <service> <config class> <output directory>");
        }
        Class<?> configClass = Class.forName(args[1]);
        ConfigDef definition = (ConfigDef) configClass.getField("CONFIG_DEF").get(null);
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        Files.writeString(out.resolve(args[0] + ".properties"), render(args[0], configClass.getSimpleName(), definition),
                StandardCharsets.UTF_8);
        try (InputStream logback = Objects.requireNonNull(ConfigTemplate.class.getResourceAsStream("/logback.xml"), "logback.xml")) {
            Files.copy(logback, out.resolve("logback.xml"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The template of {@code service}, whose settings {@code definition} defines ({@code source} names it). */
    public static String render(String service, String source, ConfigDef definition) {
        StringBuilder text = new StringBuilder()
                .append(RULE).append('\n')
                .append("# Settings of ").append(service).append(". Everything is commented out: each line shows the default.\n")
                .append("#\n")
                .append("# Where settings come from (later wins):\n")
                .append("#   1. this file: bin/").append(service).append(" reads config/").append(service)
                .append(".properties unless --config FILE or INCIDENT_CONFIG_FILE names another;\n")
                .append("#   2. environment variables: INCIDENT_<KEY> sets a key (upper case, '.' as '_'), e.g. INCIDENT_HTTP_PORT=")
                .append("8080 sets http.port;\n")
                .append("#      KAFKA_<KEY> sets kafka.<key>, e.g. KAFKA_SECURITY_PROTOCOL=SASL_SSL (see the Kafka section at the end).\n")
                .append("# Secrets (passwords, tokens, JAAS configs) belong in files or the environment, never here in plain text;\n")
                .append("# settings whose names say secret, password, token or jaas are logged as [hidden].\n")
                .append("#\n")
                .append("# Generated at build time from ").append(source).append(".CONFIG_DEF by ").append(ConfigTemplate.class.getSimpleName())
                .append(".\n")
                .append(RULE).append('\n');
        Map<String, List<ConfigKey>> groups = new LinkedHashMap<>();
        List<ConfigKey> kafka = new ArrayList<>();
        for (ConfigKey key : definition.configKeys().values()) {
            if (key.name.startsWith(EngineConfig.KAFKA_PREFIX)) {
                kafka.add(key);
            } else {
                groups.computeIfAbsent(group(key.name), g -> new ArrayList<>()).add(key);
            }
        }
        groups.forEach((group, keys) -> {
            heading(text, group);
            keys.forEach(key -> setting(text, key));
        });
        heading(text, "kafka: the Kafka clients");
        kafka.forEach(key -> setting(text, key));
        text.append('\n').append(kafkaSection());
        return text.toString();
    }

    /** The environment variable that sets {@code key}: {@code INCIDENT_…}, or {@code KAFKA_…} for {@code kafka.*}. */
    public static String environmentVariable(String key) {
        String variable = key.startsWith(EngineConfig.KAFKA_PREFIX)
                ? "KAFKA_" + key.substring(EngineConfig.KAFKA_PREFIX.length())
                : "INCIDENT_" + key;
        return variable.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Settings are grouped by the first word of their keys (http, api, ingest, notifier, ...). */
    private static String group(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    private static void heading(StringBuilder text, String title) {
        text.append("\n# ---- ").append(title).append(' ').append("-".repeat(Math.max(4, 93 - title.length()))).append('\n');
    }

    private static void setting(StringBuilder text, ConfigKey key) {
        text.append('\n');
        wrap(text, key.documentation == null ? "" : key.documentation);
        StringBuilder facts = new StringBuilder("Type: ").append(key.type.name().toLowerCase(Locale.ROOT));
        String value = defaultValue(key);
        if (!key.hasDefault()) {
            facts.append(". Required");
        } else {
            facts.append(". Default: ").append(value.isEmpty() ? "(empty)" : value);
        }
        if (key.validator != null) {
            facts.append(". Valid values: ").append(key.validator);
        }
        facts.append(". Importance: ").append(key.importance.name().toLowerCase(Locale.ROOT)).append('.');
        wrap(text, facts.toString());
        text.append("# Environment: ").append(environmentVariable(key.name)).append('\n');
        text.append('#').append(key.name).append('=').append(value).append('\n');
    }

    private static String defaultValue(ConfigKey key) {
        if (!key.hasDefault() || key.defaultValue == null) {
            return "";
        }
        return ConfigDef.convertToString(key.defaultValue, key.type);
    }

    /** Comment lines of at most about 110 characters, broken between words. */
    private static void wrap(StringBuilder text, String words) {
        StringBuilder line = new StringBuilder("#");
        for (String word : words.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 1 && line.length() + 1 + word.length() > 110) {
                text.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        if (line.length() > 1) {
            text.append(line).append('\n');
        }
    }

    private static String kafkaSection() {
        try (InputStream in = Objects.requireNonNull(ConfigTemplate.class.getResourceAsStream("kafka-settings.properties"),
                "kafka-settings.properties")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
