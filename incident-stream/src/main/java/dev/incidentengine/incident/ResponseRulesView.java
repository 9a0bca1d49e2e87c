package dev.incidentengine.incident;

import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TierConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response process from five global stores (roles, incident types, runbooks, tiers, services), compiled into
 * {@link ResponseRules} at most once a second of wall-clock time, as {@code ConfigView} does for one store.
 */
final class ResponseRulesView {

    private static final Logger log = LoggerFactory.getLogger(ResponseRulesView.class);
    private static final long REFRESH_MS = 1_000;

    private final KeyValueStore<String, RoleConfig> roles;
    private final KeyValueStore<String, IncidentTypeConfig> types;
    private final KeyValueStore<String, RunbookConfig> runbooks;
    private final KeyValueStore<String, TierConfig> tiers;
    private final KeyValueStore<String, ServiceConfig> services;
    private ResponseRules value;
    private long loadedAt;
    private List<String> reported = List.of();

    ResponseRulesView(ProcessorContext<?, ?> context) {
        roles = context.getStateStore(IncidentTopology.ROLES_STORE);
        types = context.getStateStore(IncidentTopology.INCIDENT_TYPES_STORE);
        runbooks = context.getStateStore(IncidentTopology.RUNBOOKS_STORE);
        tiers = context.getStateStore(IncidentTopology.TIERS_STORE);
        services = context.getStateStore(IncidentTopology.SERVICES_STORE);
    }

    ResponseRules get(long nowMs) {
        if (value == null || nowMs - loadedAt >= REFRESH_MS) {
            value = ResponseRules.of(all(roles), all(types), all(runbooks), all(tiers), all(services));
            loadedAt = nowMs;
            if (!value.problems().equals(reported)) {
                value.problems().forEach(problem -> log.warn("Ignoring invalid config: {}", problem));
                reported = value.problems();
            }
        }
        return value;
    }

    private static <C> List<C> all(KeyValueStore<String, C> store) {
        List<C> entries = new ArrayList<>();
        try (KeyValueIterator<String, C> all = store.all()) {
            all.forEachRemaining(entry -> entries.add(entry.value));
        }
        return entries;
    }
}
