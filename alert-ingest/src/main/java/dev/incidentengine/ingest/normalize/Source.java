package dev.incidentengine.ingest.normalize;

import java.time.Instant;

/**
 * Where an input came from: the integration (it scopes fingerprints and gives the default
 * service) and when it arrived.
 *
 * @param integrationId null for Kafka inputs without an integration
 * @param serviceId the integration's service, the default when labels name none
 */
public record Source(String integrationId, String serviceId, Instant receivedAt) {
}
