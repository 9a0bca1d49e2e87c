package dev.incidentengine.incident;

import java.time.Duration;
import java.time.Instant;

import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.incident.routing.Routes;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AlertTrack;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.ConfigView;
import dev.incidentengine.service.Deadlines;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Dedupe, in the task of the alert's own partition (alerts.v1 is keyed by fingerprint): a firing
 * alert that already fires is counted, not forwarded; only news — a new firing alert, a higher or
 * lower severity, a resolution, an acknowledgement — goes on, keyed by its correlation key from the
 * first route that takes it. Once a second (wall clock) firing alerts whose endsAt passed without a
 * refresh resolve on their own, as in Alertmanager.
 */
final class Dedupe implements Processor<String, Alert, String, Alert> {

    /** Marks news about an alert that already fires (its severity changed), so it is not checked for silences again. */
    static final String CHANGED_HEADER = "incident.alert.changed";

    private final IncidentMetrics metrics;
    private final CommitPacing pacing;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, AlertTrack> tracks;
    private Deadlines expiries;
    private ConfigView<RouteConfig, Routes> routes;

    Dedupe(IncidentMetrics metrics, CommitPacing pacing) {
        this.metrics = metrics;
        this.pacing = pacing;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        tracks = context.getStateStore(IncidentTopology.DEDUPE_STORE);
        expiries = new Deadlines(context.getStateStore(IncidentTopology.EXPIRY_STORE));
        routes = new ConfigView<>(context.getStateStore(IncidentTopology.ROUTES_STORE), Routes::of, Routes::problems);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> expire(Instant.ofEpochMilli(now)));
        pacing.schedule(context);
    }

    @Override
    public void process(Record<String, Alert> record) {
        Alert alert = record.value();
        if (alert == null || alert.getFingerprint().isBlank()) {
            // Kafka's processing handler puts the record on the DLQ with this message.
            throw new IllegalArgumentException(alert == null ? "no alert in the record (null value)" : "alert without fingerprint");
        }
        String fingerprint = alert.getFingerprint();
        Instant now = alert.getReceivedAt();
        AlertTrack track = tracks.get(fingerprint);
        switch (alert.getStatus()) {
            case FIRING -> {
                if (track == null) {
                    Route route = routes.get(context.currentSystemTimeMs()).select(alert);
                    track = new AlertTrack(route.correlationKey(withService(alert, route)), alert, 1L, now, now, false);
                    metrics.alert("new");
                    news(track, alert, false);
                } else {
                    boolean changed = track.getAlert().getSeverity() != alert.getSeverity();
                    track.setAlert(alert);
                    track.setCount(track.getCount() + 1);
                    track.setLastSeenAt(now);
                    metrics.alert(changed ? "changed" : "duplicate");
                    if (changed) {
                        news(track, alert, true);
                    }
                }
                tracks.put(fingerprint, track);
                if (alert.getEndsAt() != null) {
                    expiries.put(alert.getEndsAt(), fingerprint, "");
                }
            }
            case RESOLVED -> {
                if (track == null) {
                    metrics.alert("ignored");
                } else {
                    tracks.delete(fingerprint);
                    metrics.alert("resolved");
                    news(track, resolved(track, alert.getEndsAt() != null ? alert.getEndsAt() : now, now), false);
                }
            }
            case ACKNOWLEDGED -> {
                if (track == null || track.getAcknowledged()) {
                    metrics.alert("ignored");
                } else {
                    track.setAcknowledged(true);
                    tracks.put(fingerprint, track);
                    metrics.alert("acknowledged");
                    news(track, alert, false);
                }
            }
        }
    }

    private void expire(Instant now) {
        for (Deadlines.Due due : expiries.takeDue(now)) {
            AlertTrack track = tracks.get(due.what());
            // A refresh moved or removed endsAt: that later deadline (or none) counts, not this one.
            if (track != null && due.at().equals(track.getAlert().getEndsAt())) {
                tracks.delete(due.what());
                metrics.alert("expired");
                news(track, resolved(track, due.at(), now), false);
            }
        }
    }

    /**
     * The firing copy, resolved: later stages see the labels it fired with (a PagerDuty resolve,
     * for one, carries none), so it matches the same rules and inhibits no longer.
     */
    private static Alert resolved(AlertTrack track, Instant endedAt, Instant now) {
        return Alert.newBuilder(track.getAlert()).setStatus(AlertStatus.RESOLVED).setEndsAt(endedAt).setReceivedAt(now).build();
    }

    private void news(AlertTrack track, Alert alert, boolean changed) {
        RecordHeaders headers = new RecordHeaders();
        if (changed) {
            headers.add(CHANGED_HEADER, new byte[0]);
        }
        context.forward(new Record<>(track.getCorrelationKey(), alert, alert.getReceivedAt().toEpochMilli(), headers));
    }

    /** The alert as its route sees it: the route may assign it a service. */
    static Alert withService(Alert alert, Route route) {
        return route.service() == null || route.service().equals(alert.getService())
                ? alert : Alert.newBuilder(alert).setService(route.service()).build();
    }
}
