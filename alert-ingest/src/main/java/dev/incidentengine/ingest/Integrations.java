package dev.incidentengine.ingest;

import java.util.Optional;

import dev.incidentengine.model.config.IntegrationConfig;

/** Looks integrations up by their key (the credential) or their id. */
public interface Integrations {

    Optional<IntegrationConfig> byKey(String key);

    Optional<IntegrationConfig> byId(String id);

    /** False until every integration that existed at start is known: a key unknown before then may be valid. */
    boolean ready();
}
