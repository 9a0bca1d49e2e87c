package dev.incidentengine.incident.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;

/**
 * The services API's answer ({@code GET /api/v1/services}, {@code /api/v1/services/{id}}): each
 * configured service with its team, escalation policy, integrations (with the URL their sender
 * posts to and where the key goes), channels and open incidents. It is built from what the view
 * keeps of the configuration, which holds no integration key hash, channel address or secret name:
 * nothing secret can be written because nothing secret is here.
 */
final class ServiceCatalog {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    /** Integrations, channels, policy levels and a level's targets shown per service; the answer counts them all. */
    static final int MAX_LISTED = 25;

    /** An integration as the view keeps it: without its key's hash. */
    record Integration(String id, String name, IntegrationType type, String serviceId, List<String> allowedServices) {
        static Integration of(IntegrationConfig config) {
            return new Integration(config.getId(), config.getName(), config.getType(), config.getServiceId(),
                    List.copyOf(config.getAllowedServices()));
        }
    }

    /** A channel as the view keeps it: kind and name, without its address or the name of its secret. */
    record Channel(String id, String name, ChannelType type, List<String> services) {
        static Channel of(ChannelConfig config) {
            return new Channel(config.getId(), config.getName(), config.getType(), List.copyOf(config.getServices()));
        }
    }

    /** The configuration the answer is built from, as the view holds it at one moment. */
    record Config(Map<String, ServiceConfig> services, Map<String, Integration> integrations,
                  Map<String, EscalationPolicyConfig> policies, Map<String, Channel> channels, Map<String, TeamConfig> teams) {
    }

    /** Where each integration type's sender posts, and how it passes the key (alert-ingest's receivers). */
    enum Receiver {
        GENERIC("/api/v1/alerts", "Generic JSON: scripts, curl, anything that can POST JSON",
                "header 'Authorization: Bearer <integration key>' (or ?key=<integration key>)"),
        ALERTMANAGER("/api/v1/alertmanager", "Prometheus Alertmanager: a receiver's webhook_configs url",
                "http_config.authorization.credentials: <integration key> (or basic_auth with the key as password)"),
        GRAFANA("/api/v1/grafana", "Grafana alerting: a webhook contact point's URL",
                "Authorization header, scheme Bearer, credentials <integration key> (or basic auth with the key as password)"),
        PAGERDUTY("/v2/enqueue", "Anything that sends PagerDuty Events API v2: its events URL",
                "routing_key of each event: put the integration key where the sender asks for a PagerDuty integration key");

        final String path;
        final String sender;
        final String credential;

        Receiver(String path, String sender, String credential) {
            this.path = path;
            this.sender = sender;
            this.credential = credential;
        }

        static Receiver of(IntegrationType type) {
            return valueOf(type.name());
        }
    }

    /** Open incidents of one service, by severity and status. */
    private static final class Open {
        private long total;
        private final Map<String, Long> bySeverity = new TreeMap<>();
        private final Map<String, Long> byStatus = new TreeMap<>(Map.of(IncidentStatus.TRIGGERED.name(), 0L,
                IncidentStatus.ACKNOWLEDGED.name(), 0L));

        Open() {
            for (Severity severity : Severity.values()) {
                bySeverity.put(severity.name(), 0L);
            }
        }

        void add(String status, String severity, long count) {
            total += count;
            bySeverity.merge(severity, count, Long::sum);
            byStatus.merge(status, count, Long::sum);
        }
    }

    private final Config config;
    private final String receiverBase;
    private final Map<String, List<Integration>> integrationsByService = new HashMap<>();
    private final Map<String, List<Channel>> channelsByService = new HashMap<>();
    private final List<Channel> channelsOfEveryService = new ArrayList<>();
    private final Map<String, Open> open = new HashMap<>();

    /**
     * @param openCounts open incidents by [status, severity, service], summed over the instances
     * @param receiverBase scheme, host and port (and any path prefix) the receivers' paths go under, without a trailing slash
     */
    ServiceCatalog(Config config, Map<List<String>, Long> openCounts, String receiverBase) {
        this.config = config;
        this.receiverBase = receiverBase;
        // Indexed once per answer: the work is the size of the configuration, whatever the page.
        config.integrations().values().stream().sorted(Comparator.comparing(Integration::id)).forEach(integration -> {
            integrationsByService.computeIfAbsent(integration.serviceId(), id -> new ArrayList<>()).add(integration);
            integration.allowedServices().stream().filter(id -> !id.equals(integration.serviceId())).distinct()
                    .forEach(id -> integrationsByService.computeIfAbsent(id, any -> new ArrayList<>()).add(integration));
        });
        config.channels().values().stream().sorted(Comparator.comparing(Channel::id)).forEach(channel -> {
            if (channel.services().isEmpty()) {
                channelsOfEveryService.add(channel);
            }
            channel.services().stream().distinct().forEach(id -> channelsByService.computeIfAbsent(id, any -> new ArrayList<>()).add(channel));
        });
        openCounts.forEach((key, count) -> open.computeIfAbsent(key.get(2), any -> new Open()).add(key.get(0), key.get(1), count));
    }

    /** A page of services in the order of their ids, after {@code after} (null: from the first). */
    record Page(List<ServiceConfig> services, boolean more) {
    }

    Page page(String after, int limit) {
        List<ServiceConfig> page = config.services().values().stream()
                .filter(service -> after == null || service.getId().compareTo(after) > 0)
                .sorted(Comparator.comparing(ServiceConfig::getId))
                .limit(limit + 1L)
                .toList();
        return page.size() > limit ? new Page(page.subList(0, limit), true) : new Page(page, false);
    }

    int size() {
        return config.services().size();
    }

    ServiceConfig service(String id) {
        return config.services().get(id);
    }

    void write(ServiceConfig service, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", service.getId());
        out.writeStringField("name", service.getName());
        out.writeStringField("description", service.getDescription());
        TeamConfig team = service.getTeamId() == null ? null : config.teams().get(service.getTeamId());
        if (service.getTeamId() == null) {
            out.writeNullField("team");
        } else {
            out.writeObjectFieldStart("team");
            out.writeStringField("id", service.getTeamId());
            out.writeStringField("name", team == null ? null : team.getName());
            out.writeEndObject();
        }
        writeOpen(open.getOrDefault(service.getId(), new Open()), out);
        writePolicy(service, team, out);
        List<Integration> integrations = integrationsByService.getOrDefault(service.getId(), List.of());
        out.writeNumberField("integrationCount", integrations.size());
        out.writeArrayFieldStart("integrations");
        for (Integration integration : first(integrations)) {
            Receiver receiver = Receiver.of(integration.type());
            out.writeStartObject();
            out.writeStringField("id", integration.id());
            out.writeStringField("name", integration.name());
            out.writeStringField("type", integration.type().name());
            out.writeStringField("serviceId", integration.serviceId());
            out.writeStringField("url", receiverBase + receiver.path);
            out.writeStringField("sender", receiver.sender);
            out.writeStringField("credential", receiver.credential);
            out.writeEndObject();
        }
        out.writeEndArray();
        List<Channel> channels = new ArrayList<>(channelsByService.getOrDefault(service.getId(), List.of()));
        channels.addAll(channelsOfEveryService);
        channels.sort(Comparator.comparing(Channel::id));
        out.writeNumberField("channelCount", channels.size());
        out.writeArrayFieldStart("channels");
        for (Channel channel : first(channels)) {
            out.writeStartObject();
            out.writeStringField("id", channel.id());
            out.writeStringField("name", channel.name());
            out.writeStringField("type", channel.type().name());
            out.writeBooleanField("everyService", channel.services().isEmpty());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private static void writeOpen(Open open, JsonGenerator out) throws IOException {
        out.writeNumberField("openIncidents", open.total);
        writeCounts("openBySeverity", open.bySeverity, out);
        writeCounts("openByStatus", open.byStatus, out);
    }

    private static void writeCounts(String name, Map<String, Long> counts, JsonGenerator out) throws IOException {
        out.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> count : counts.entrySet()) {
            out.writeNumberField(count.getKey(), count.getValue());
        }
        out.writeEndObject();
    }

    /** The policy escalation-stream pages by for the service's incidents that no route gives another: the service's, else its team's. */
    private void writePolicy(ServiceConfig service, TeamConfig team, JsonGenerator out) throws IOException {
        String id = service.getEscalationPolicyId() != null ? service.getEscalationPolicyId()
                : team == null ? null : team.getEscalationPolicyId();
        if (id == null) {
            out.writeNullField("escalationPolicy");
            return;
        }
        EscalationPolicyConfig policy = config.policies().get(id);
        out.writeObjectFieldStart("escalationPolicy");
        out.writeStringField("id", id);
        out.writeStringField("from", service.getEscalationPolicyId() != null ? "service" : "team");
        // A policy the configuration does not hold (yet): its id alone, so the gap shows.
        out.writeStringField("name", policy == null ? null : policy.getName());
        List<EscalationLevel> levels = policy == null ? List.of() : policy.getLevels();
        out.writeNumberField("repeat", policy == null ? 0 : policy.getRepeat());
        out.writeNumberField("levelCount", levels.size());
        out.writeArrayFieldStart("levels");
        for (EscalationLevel level : first(levels)) {
            out.writeStartObject();
            out.writeNumberField("delayMinutes", level.getDelayMinutes());
            out.writeBooleanField("roundRobin", level.getRoundRobin());
            out.writeNumberField("targetCount", level.getTargets().size());
            out.writeArrayFieldStart("targets");
            for (LevelTarget target : first(level.getTargets())) {
                out.writeStartObject();
                out.writeStringField("type", target.getType().name());
                out.writeStringField("id", target.getId());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private static <T> List<T> first(List<T> items) {
        return items.size() > MAX_LISTED ? items.subList(0, MAX_LISTED) : items;
    }
}
