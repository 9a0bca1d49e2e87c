package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.ingest.normalize.AlertLimits;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of alert-ingest: the shared engine settings plus the receivers' limits. */
public final class AlertIngestConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final String MAX_BODY_BYTES_CONFIG = "ingest.max.body.bytes";
    public static final String MAX_ALERTS_PER_REQUEST_CONFIG = "ingest.max.alerts.per.request";
    public static final String RATE_LIMIT_CONFIG = "ingest.rate.limit.alerts.per.second";
    public static final String RATE_LIMIT_BURST_CONFIG = "ingest.rate.limit.burst";
    public static final String KAFKA_TIMEOUT_MS_CONFIG = "ingest.kafka.timeout.ms";
    public static final String RETRY_AFTER_SECONDS_CONFIG = "ingest.retry.after.seconds";
    public static final String BACKLOG_MAX_MS_CONFIG = "ingest.backlog.max.ms";
    public static final String BACKLOG_QUIET_RATE_CONFIG = "ingest.backlog.quiet.alerts.per.second";
    public static final String BACKLOG_MAX_WAIT_MS_CONFIG = "ingest.backlog.max.wait.ms";
    public static final String BACKLOG_GROUP_CONFIG = "ingest.backlog.group";
    public static final String BACKLOG_SAMPLE_MS_CONFIG = "ingest.backlog.sample.ms";
    public static final String MAX_LABELS_CONFIG = "ingest.max.labels";
    public static final String MAX_NAME_LENGTH_CONFIG = "ingest.max.name.length";
    public static final String MAX_LABEL_VALUE_LENGTH_CONFIG = "ingest.max.label.value.length";
    public static final String MAX_ANNOTATION_LENGTH_CONFIG = "ingest.max.annotation.length";
    public static final String MAX_SUMMARY_LENGTH_CONFIG = "ingest.max.summary.length";
    public static final String MAX_ALERT_BYTES_CONFIG = "ingest.max.alert.bytes";
    public static final String ALERTMANAGER_RESOLVE_TIMEOUT_CONFIG = "ingest.alertmanager.resolve.timeout.seconds";
    public static final String HEARTBEAT_PUNCTUATION_MS_CONFIG = "ingest.heartbeat.punctuation.ms";
    public static final String APPLICATION_ID_CONFIG = "ingest.application.id";
    public static final String RESEND_CACHE_ENTRIES_CONFIG = "ingest.resend.cache.entries";

    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT)
            .define(MAX_BODY_BYTES_CONFIG, Type.INT, 512 * 1024, Range.atLeast(1024), Importance.MEDIUM,
                    "Largest request body accepted; larger ones get 413.")
            .define(MAX_ALERTS_PER_REQUEST_CONFIG, Type.INT, 1000, Range.atLeast(1), Importance.MEDIUM,
                    "Most alerts in one request; more get 413.")
            .define(RATE_LIMIT_CONFIG, Type.DOUBLE, 20_000.0, Range.atLeast(0), Importance.MEDIUM,
                    "Alerts per second each integration may send, sustained; 0 turns rate limiting off. An alert storm "
                            + "comes from one integration (one Alertmanager) and must get through: the default is twice the "
                            + "rate incident-stream is built to take (10,000 alerts/s); it stops a runaway client, not a storm.")
            .define(RATE_LIMIT_BURST_CONFIG, Type.INT, 40_000, Range.atLeast(1), Importance.MEDIUM,
                    "Alerts an integration may send at once above the sustained rate; at least the per-request limit.")
            .define(KAFKA_TIMEOUT_MS_CONFIG, Type.INT, 5000, Range.atLeast(500), Importance.MEDIUM,
                    "How long writing a request's alerts to Kafka may take before it is answered 503.")
            .define(RETRY_AFTER_SECONDS_CONFIG, Type.INT, 5, Range.atLeast(1), Importance.LOW,
                    "Retry-After sent with 503 when Kafka is unavailable.")
            .define(BACKLOG_MAX_MS_CONFIG, Type.INT, 500, Range.atLeast(0), Importance.MEDIUM,
                    "Longest backlog of incident-stream, in milliseconds of its work, before requests from sources over the quiet "
                            + "rate wait (ingest.backlog.max.wait.ms) and are then refused with 503 and Retry-After: 1. Quiet sources are always admitted, so a storm cannot "
                            + "delay other services' incidents by more than about this. 0 turns it off.")
            .define(BACKLOG_QUIET_RATE_CONFIG, Type.DOUBLE, 100.0, Range.atLeast(0), Importance.MEDIUM,
                    "Alerts per second a source (an integration, and for Alertmanager and Grafana webhooks their groupKey) may "
                            + "offer and still be admitted whatever the backlog.")
            .define(BACKLOG_MAX_WAIT_MS_CONFIG, Type.INT, 2_000, Range.atLeast(0), Importance.LOW,
                    "How long a busy source's request may wait for the backlog to shrink before it is refused.")
            .define(BACKLOG_GROUP_CONFIG, Type.STRING, "incident-stream", Importance.LOW,
                    "Consumer group whose lag is the backlog: incident-stream's application.id.")
            .define(BACKLOG_SAMPLE_MS_CONFIG, Type.INT, 100, Range.atLeast(10), Importance.LOW,
                    "How often the backlog is sampled from Kafka.")
            .define(MAX_LABELS_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxLabels(), Range.atLeast(1), Importance.LOW,
                    "Most labels on one alert (Alertmanager commonLabels included); more get 400.")
            .define(MAX_NAME_LENGTH_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxNameLength(), Range.atLeast(1), Importance.LOW,
                    "Longest label or annotation name, in characters.")
            .define(MAX_LABEL_VALUE_LENGTH_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxLabelValueLength(), Range.atLeast(1),
                    Importance.LOW, "Longest label value (and service name), in characters.")
            .define(MAX_ANNOTATION_LENGTH_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxAnnotationLength(), Range.atLeast(1),
                    Importance.LOW, "Longest annotation value or description, in characters.")
            .define(MAX_SUMMARY_LENGTH_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxSummaryLength(), Range.atLeast(16),
                    Importance.LOW, "Longest summary, in characters.")
            .define(MAX_ALERT_BYTES_CONFIG, Type.INT, AlertLimits.DEFAULTS.maxAlertBytes(), Range.atLeast(1024), Importance.LOW,
                    "Largest alert, in bytes of its Avro encoding on alerts.v1; it travels on in incident events and notifications.")
            .define(ALERTMANAGER_RESOLVE_TIMEOUT_CONFIG, Type.INT, 300, Range.between(1, 86_400), Importance.LOW,
                    "Alertmanager's resolve_timeout: an alert posted to /api/v2/alerts without endsAt resolves this long after it"
                            + " arrived unless it is sent again (Prometheus always sends endsAt).")
            .define(RESEND_CACHE_ENTRIES_CONFIG, Type.INT, 100_000, Range.atLeast(0), Importance.LOW,
                    "Firing alerts (fingerprints) remembered to absorb unchanged resends: Prometheus re-sends every firing alert each "
                            + "resend interval, unchanged but for endsAt. A resend with the same content as the alert last written for its "
                            + "fingerprint, firing both times, is answered as accepted and not written to alerts.v1 while the written endsAt "
                            + "is still at least half as far ahead as the new one (so incident-stream's expiry deadline is refreshed well "
                            + "before it passes); anything else is written. Counted in ingest_alerts_absorbed_total. Least recently used "
                            + "entries are dropped beyond the limit (about 170 bytes of heap each: 100,000 take about 17 MB); per instance, "
                            + "empty after a restart: at worst more is written. 0 turns absorption off.")
            .define(APPLICATION_ID_CONFIG, Type.STRING, RawAlertTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id (the raw path and the heartbeats): the consumer group, and the prefix of the "
                            + "internal topics.")
            .define(HEARTBEAT_PUNCTUATION_MS_CONFIG, Type.INT, 200, Range.between(10, 60_000), Importance.LOW,
                    "How often due heartbeats are looked for (wall clock): a missed heartbeat fires at most about this late.");

    public AlertIngestConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        if (rateLimitPerSecond() > 0 && rateLimitBurst() < maxAlertsPerRequest()) {
            throw new ConfigException(RATE_LIMIT_BURST_CONFIG, rateLimitBurst(),
                    "must be at least " + MAX_ALERTS_PER_REQUEST_CONFIG + " (" + maxAlertsPerRequest() + ")");
        }
    }

    public int maxBodyBytes() {
        return getInt(MAX_BODY_BYTES_CONFIG);
    }

    public int maxAlertsPerRequest() {
        return getInt(MAX_ALERTS_PER_REQUEST_CONFIG);
    }

    public double rateLimitPerSecond() {
        return getDouble(RATE_LIMIT_CONFIG);
    }

    public int rateLimitBurst() {
        return getInt(RATE_LIMIT_BURST_CONFIG);
    }

    public Duration kafkaTimeout() {
        return Duration.ofMillis(getInt(KAFKA_TIMEOUT_MS_CONFIG));
    }

    public int retryAfterSeconds() {
        return getInt(RETRY_AFTER_SECONDS_CONFIG);
    }

    public int backlogMaxMs() {
        return getInt(BACKLOG_MAX_MS_CONFIG);
    }

    public double backlogQuietPerSecond() {
        return getDouble(BACKLOG_QUIET_RATE_CONFIG);
    }

    public int backlogMaxWaitMs() {
        return getInt(BACKLOG_MAX_WAIT_MS_CONFIG);
    }

    public String backlogGroup() {
        return getString(BACKLOG_GROUP_CONFIG);
    }

    public int backlogSampleMs() {
        return getInt(BACKLOG_SAMPLE_MS_CONFIG);
    }

    public Duration alertmanagerResolveTimeout() {
        return Duration.ofSeconds(getInt(ALERTMANAGER_RESOLVE_TIMEOUT_CONFIG));
    }

    public int resendCacheEntries() {
        return getInt(RESEND_CACHE_ENTRIES_CONFIG);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public Duration heartbeatPunctuation() {
        return Duration.ofMillis(getInt(HEARTBEAT_PUNCTUATION_MS_CONFIG));
    }

    public AlertLimits alertLimits() {
        return new AlertLimits(getInt(MAX_LABELS_CONFIG), getInt(MAX_NAME_LENGTH_CONFIG), getInt(MAX_LABEL_VALUE_LENGTH_CONFIG),
                getInt(MAX_ANNOTATION_LENGTH_CONFIG), getInt(MAX_SUMMARY_LENGTH_CONFIG), getInt(MAX_ALERT_BYTES_CONFIG));
    }
}
