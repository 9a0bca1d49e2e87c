package dev.incidentengine.ticketing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Brings people's changes to tickets back to their incidents, for systems that are polled ({@link TicketSystemProvider#polled()}:
 * Redmine, ServiceNow); Jira and GitHub push theirs to the engine's webhook receivers instead. One task: the system has one
 * cursor.
 */
public final class TicketSourceConnector extends SourceConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return TicketSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new TicketConfig(TicketConfig.sourceDef(props), props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return TicketSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
        // Nothing runs in the connector itself.
    }

    @Override
    public ConfigDef config() {
        return TicketConfig.sourceDef(Map.of());
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        List<ConfigValue> values = new ArrayList<>(TicketConfig.withFieldTemplates(connectorConfigs,
                TicketConfig.sourceDef(connectorConfigs).validate(connectorConfigs)));
        String system = connectorConfigs.get(TicketConfig.SYSTEM);
        TicketSystems.named(system == null ? null : system.trim()).filter(provider -> !provider.polled()).ifPresent(provider ->
                values.stream().filter(value -> value.name().equals(TicketConfig.SYSTEM)).findFirst().ifPresent(value ->
                        value.addErrorMessage(provider.system() + " pushes people's changes to the engine's webhook receiver; it is not polled")));
        return new Config(TicketConfig.checkAgainstSystem(TicketConfig.sourceDef(connectorConfigs), connectorConfigs, values));
    }
}
