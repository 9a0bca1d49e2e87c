package dev.incidentengine.ingest;

import java.util.List;
import java.util.Optional;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;

/** Integrations held in memory, for tests that need no Kafka for them. */
record MapIntegrations(List<IntegrationConfig> all) implements Integrations {

    static IntegrationConfig integration(String id, String service, String key, String... allowedServices) {
        return new IntegrationConfig(id, id, IntegrationType.GENERIC, service, IntegrationKeys.sha256(key), List.of(allowedServices), null);
    }

    @Override
    public Optional<IntegrationConfig> byKey(String key) {
        String hash = IntegrationKeys.sha256(key);
        return all.stream().filter(i -> i.getKeySha256().equals(hash)).findFirst();
    }

    @Override
    public Optional<IntegrationConfig> byId(String id) {
        return all.stream().filter(i -> i.getId().equals(id)).findFirst();
    }

    @Override
    public boolean ready() {
        return true;
    }
}
