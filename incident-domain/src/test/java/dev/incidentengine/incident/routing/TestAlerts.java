package dev.incidentengine.incident.routing;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;

/** Alerts and matchers for the routing tests. */
final class TestAlerts {

    static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    private TestAlerts() {
    }

    /** A firing SEV2 alert without service; {@code labels} are name, value pairs. */
    static Alert alert(String fingerprint, String... labels) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return Alert.newBuilder()
                .setFingerprint(fingerprint)
                .setStatus(AlertStatus.FIRING)
                .setSeverity(Severity.SEV2)
                .setSummary("summary of " + fingerprint)
                .setLabels(map)
                .setSource("test")
                .setRawFormat(RawFormat.GENERIC)
                .setStartsAt(T0)
                .setReceivedAt(T0)
                .build();
    }

    static LabelMatcher eq(String label, String value) {
        return new LabelMatcher(label, MatchOp.EQUAL, value);
    }

    static LabelMatcher ne(String label, String value) {
        return new LabelMatcher(label, MatchOp.NOT_EQUAL, value);
    }

    static LabelMatcher re(String label, String value) {
        return new LabelMatcher(label, MatchOp.REGEX, value);
    }

    static LabelMatcher nre(String label, String value) {
        return new LabelMatcher(label, MatchOp.NOT_REGEX, value);
    }
}
