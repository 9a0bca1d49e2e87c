package dev.incidentengine.ticketing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.incidentengine.schemas.Topics;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Keeps tickets in a ticketing system in step with incidents: reads {@code incident.events.v1} (bytes, with
 * {@code ByteArrayConverter}: the task reads the engine's Avro itself), one task per partition at most.
 */
public final class TicketSinkConnector extends SinkConnector {

    static final String VERSION = TicketSinkConnector.class.getPackage().getImplementationVersion() != null
            ? TicketSinkConnector.class.getPackage().getImplementationVersion() : "dev";
    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    /** {@code topics} must name this one topic; a deployment that prefixes its topic names says so here. */
    public static final String EVENTS_TOPIC = "ticket.events.topic";

    private Map<String, String> props;

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new TicketConfig(TicketConfig.sinkDef(props), props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return TicketSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return Collections.nCopies(maxTasks, props);
    }

    @Override
    public void stop() {
        // Nothing runs in the connector itself.
    }

    @Override
    public ConfigDef config() {
        return def(Map.of());
    }

    private static ConfigDef def(Map<String, String> props) {
        return TicketConfig.sinkDef(props).define(EVENTS_TOPIC, ConfigDef.Type.STRING, Topics.INCIDENT_EVENTS.name(),
                new ConfigDef.NonEmptyString(), ConfigDef.Importance.LOW,
                "The incident events topic, which topics must name (alone).");
    }

    /** Each setting's validator, the system's settings, the field templates, and what Connect's own settings must be. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        List<ConfigValue> values = new ArrayList<>(TicketConfig.withFieldTemplates(connectorConfigs, def(connectorConfigs).validate(connectorConfigs)));
        String events = connectorConfigs.getOrDefault(EVENTS_TOPIC, Topics.INCIDENT_EVENTS.name()).trim();
        String topics = connectorConfigs.get(TOPICS_CONFIG);
        if (connectorConfigs.get("topics.regex") != null && !connectorConfigs.get("topics.regex").isBlank()) {
            values.add(error("topics.regex", "not supported: set topics=" + events));
        }
        if (topics == null || !topics.trim().equals(events)) {
            values.add(error(TOPICS_CONFIG, "must be the incident events topic " + events + " (alone); see " + EVENTS_TOPIC));
        }
        String converter = connectorConfigs.get("value.converter");
        if (converter != null && !converter.trim().equals(BYTE_ARRAY_CONVERTER)) {
            values.add(error("value.converter", "must be " + BYTE_ARRAY_CONVERTER + ": the task reads the engine's Avro itself"));
        }
        return new Config(TicketConfig.checkAgainstSystem(def(connectorConfigs), connectorConfigs, values));
    }

    /** No value: Connect converts it by its own definition of the setting (a list, a class), which a string would break. */
    static ConfigValue error(String name, String message) {
        ConfigValue configValue = new ConfigValue(name, null, List.of(), new ArrayList<>());
        configValue.addErrorMessage(message);
        return configValue;
    }
}
