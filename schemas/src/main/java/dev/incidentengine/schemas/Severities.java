package dev.incidentengine.schemas;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.Severity;

import static java.util.Map.entry;

/**
 * Reads the severities tools write: critical/error/warning/info (PagerDuty, Alertmanager
 * conventions), P0..P4, SEV0..SEV4 and bare 0..4, and the words of Zabbix, Nagios and syslog.
 */
public final class Severities {

    /** Label names that carry a severity, in order of preference. */
    public static final List<String> LABELS = List.of("severity", "priority", "level", "sev");

    private static final Map<String, Severity> WORDS = Map.ofEntries(
            entry("disaster", Severity.SEV0), entry("emergency", Severity.SEV0), entry("emerg", Severity.SEV0),
            entry("fatal", Severity.SEV0),
            entry("critical", Severity.SEV1), entry("crit", Severity.SEV1), entry("alert", Severity.SEV1),
            entry("page", Severity.SEV1),
            entry("error", Severity.SEV2), entry("err", Severity.SEV2), entry("high", Severity.SEV2),
            entry("major", Severity.SEV2),
            entry("warning", Severity.SEV3), entry("warn", Severity.SEV3), entry("average", Severity.SEV3),
            entry("medium", Severity.SEV3), entry("minor", Severity.SEV3),
            entry("info", Severity.SEV4), entry("informational", Severity.SEV4), entry("information", Severity.SEV4),
            entry("notice", Severity.SEV4), entry("low", Severity.SEV4), entry("debug", Severity.SEV4),
            entry("none", Severity.SEV4), entry("ok", Severity.SEV4), entry("not classified", Severity.SEV4));

    private Severities() {
    }

    public static Optional<Severity> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        Severity word = WORDS.get(value);
        if (word != null) {
            return Optional.of(word);
        }
        String digits = value.startsWith("sev") ? value.substring(3) : value.startsWith("p") ? value.substring(1) : value;
        digits = digits.startsWith("-") ? digits.substring(1) : digits;
        if (digits.length() == 1 && digits.charAt(0) >= '0' && digits.charAt(0) <= '4') {
            return Optional.of(Severity.values()[digits.charAt(0) - '0']);
        }
        return Optional.empty();
    }

    /** The severity named by the first severity-like label that holds a known value. */
    public static Optional<Severity> fromLabels(Map<String, String> labels) {
        for (String label : LABELS) {
            Optional<Severity> severity = parse(labels.get(label));
            if (severity.isPresent()) {
                return severity;
            }
        }
        return Optional.empty();
    }
}
