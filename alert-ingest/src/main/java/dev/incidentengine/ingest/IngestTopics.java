package dev.incidentengine.ingest;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics alert-ingest reads and writes; injected, so tests run on topics of their own. */
public record IngestTopics(
        Topic<String, byte[]> raw,
        Topic<String, Alert> alerts,
        Topic<byte[], byte[]> dlq,
        Topic<String, IntegrationConfig> integrations,
        Topic<String, HeartbeatPing> heartbeats) {

    public static final IngestTopics DEFAULT =
            new IngestTopics(Topics.ALERTS_RAW, Topics.ALERTS, Topics.ALERTS_DLQ, Topics.CONFIG_INTEGRATIONS, Topics.HEARTBEATS);
}
