package dev.incidentengine.deploy.manifests;

import java.util.List;
import java.util.Map;

import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamService;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.status.StatusPageService;
import dev.incidentengine.status.StatusPageServiceConfig;
import org.apache.kafka.common.config.ConfigDef;

/** The five services as deployed: what each is called, the settings it defines and what it may do on Kafka. */
public final class EngineServices {

    /**
     * One service.
     *
     * @param stateful whether its Streams apps keep stores (a StatefulSet with a volume for the state directory)
     */
    public record DeployedService(String name, ConfigDef settings, ServiceAccess access, boolean stateful) {

        /** Its HTTP port: the default of {@code http.port}. */
        public int httpPort() {
            return (Integer) settings.configKeys().get(EngineConfig.HTTP_PORT_CONFIG).defaultValue;
        }
    }

    /** With default settings: the ids (application ids, groups) a deployment uses unless it renames them. */
    public static final List<DeployedService> ALL = List.of(
            new DeployedService(AlertIngestService.NAME, AlertIngestConfig.CONFIG_DEF,
                    AlertIngestService.kafkaAccess(new AlertIngestConfig(Map.of())), false),
            new DeployedService(IncidentStreamService.NAME, IncidentStreamConfig.CONFIG_DEF,
                    IncidentStreamService.kafkaAccess(new IncidentStreamConfig(Map.of())), true),
            new DeployedService(EscalationStreamService.NAME, EscalationStreamConfig.CONFIG_DEF,
                    EscalationStreamService.kafkaAccess(new EscalationStreamConfig(Map.of())), true),
            new DeployedService(NotifierService.NAME, NotifierConfig.CONFIG_DEF,
                    NotifierService.kafkaAccess(new NotifierConfig(Map.of())), true),
            new DeployedService(StatusPageService.NAME, StatusPageServiceConfig.CONFIG_DEF,
                    StatusPageService.kafkaAccess(new StatusPageServiceConfig(Map.of())), true));

    private EngineServices() {
    }

    public static DeployedService named(String name) {
        return ALL.stream().filter(service -> service.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No service " + name));
    }
}
