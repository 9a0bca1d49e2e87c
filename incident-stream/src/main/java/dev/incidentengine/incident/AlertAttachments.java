package dev.incidentengine.incident;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.incident.domain.AttachedAlerts;
import dev.incidentengine.model.AlertAttachment;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.Severity;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code incident-alert-store}: every alert of a correlation key, keyed {@code <key>\0<fingerprint>},
 * with the incident it is attached to and how it stands there. Correlation reads where an alert
 * went; the aggregate reads and writes how its incident holds it. One entry an alert, read and
 * written one at a time: an alert costs the same however many its incident holds.
 */
final class AlertAttachments implements AttachedAlerts {

    private static final char SEPARATOR = '\u0000';

    private final KeyValueStore<String, AlertAttachment> store;

    AlertAttachments(KeyValueStore<String, AlertAttachment> store) {
        this.store = store;
    }

    /** The incident the alert of this correlation key was last attached to, or null. */
    String attachedTo(String key, String fingerprint) {
        AlertAttachment attachment = store.get(key(key, fingerprint));
        return attachment == null ? null : attachment.getIncidentId();
    }

    @Override
    public AttachedAlert get(IncidentState incident, String fingerprint) {
        AlertAttachment attachment = store.get(key(incident.getCorrelationKey(), fingerprint));
        return attachment != null && attachment.getIncidentId().equals(incident.getIncidentId()) ? attachment.getAlert() : null;
    }

    void put(IncidentState incident, AttachedAlert alert) {
        store.put(key(incident.getCorrelationKey(), alert.getFingerprint()), new AlertAttachment(incident.getIncidentId(), alert));
    }

    /** Points the alert of {@code key} at {@code to} if it is still attached to {@code from} (alerts moving with a merge). */
    void move(String key, String fingerprint, String from, String to) {
        AlertAttachment attachment = store.get(key(key, fingerprint));
        if (attachment != null && attachment.getIncidentId().equals(from)) {
            store.put(key(key, fingerprint), new AlertAttachment(to, attachment.getAlert()));
        }
    }

    /** The incident's firing alerts (a merge moves them): a scan of its correlation key's alerts. */
    List<AttachedAlert> firing(IncidentState incident) {
        List<AttachedAlert> firing = new ArrayList<>();
        try (KeyValueIterator<String, AlertAttachment> entries = store.prefixScan(prefix(incident.getCorrelationKey()),
                new StringSerializer())) {
            entries.forEachRemaining(entry -> {
                if (entry.value.getIncidentId().equals(incident.getIncidentId()) && entry.value.getAlert().getStatus() == AlertStatus.FIRING) {
                    firing.add(entry.value.getAlert());
                }
            });
        }
        return firing;
    }

    /**
     * Deletes up to {@code budget} entries of a closed incident, looking at no more than ten times
     * that many of its key's, after {@code after} (null: from the start). Returns where to go on,
     * or null when the key has no more.
     */
    String sweep(String incidentId, String key, String after, int budget) {
        String prefix = prefix(key);
        List<String> doomed = new ArrayList<>();
        String last = null;
        int looked = 0;
        try (KeyValueIterator<String, AlertAttachment> entries = store.range(after == null ? prefix : after,
                prefix.substring(0, prefix.length() - 1) + (char) (SEPARATOR + 1))) {
            while (entries.hasNext() && looked < budget * 10 && doomed.size() < budget) {
                KeyValue<String, AlertAttachment> entry = entries.next();
                if (entry.key.equals(after) || !entry.key.startsWith(prefix)) {
                    continue;
                }
                looked++;
                last = entry.key;
                if (entry.value.getIncidentId().equals(incidentId)) {
                    doomed.add(entry.key);
                }
            }
            boolean more = entries.hasNext();
            doomed.forEach(store::delete);
            return more ? last : null;
        }
    }

    /**
     * An incident state of a release that kept every alert in the state: its alerts move here and
     * the state keeps counts and a sample. Returns the state to use.
     */
    IncidentState migrate(IncidentState state, int sample) {
        if (state == null || state.getAlertCount() > 0 || state.getAlerts().isEmpty()) {
            return state;
        }
        IncidentState migrated = IncidentState.newBuilder(state).build();
        migrated.setAlertCount(state.getAlerts().size());
        migrated.setFiringAlertCount((int) state.getAlerts().values().stream().filter(a -> a.getStatus() == AlertStatus.FIRING).count());
        state.getAlerts().values().forEach(alert -> put(state, alert));
        migrated.setAlerts(state.getAlerts().entrySet().stream()
                .sorted(Map.Entry.comparingByValue(Comparator.comparing(AttachedAlert::getAttachedAt)))
                .limit(sample)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        return migrated;
    }

    /** A correlation group of a release that kept every alert's incident in the group: the entries move here. */
    void migrate(String key, Map<String, String> fingerprints) {
        fingerprints.forEach((fingerprint, incidentId) -> {
            if (store.get(key(key, fingerprint)) == null) {
                // Where the alert went is what correlation needs; its incident rewrites the rest when it migrates.
                store.put(key(key, fingerprint), new AlertAttachment(incidentId, new AttachedAlert(fingerprint,
                        AlertStatus.FIRING, Severity.SEV3, "", Instant.EPOCH, null)));
            }
        });
    }

    private static String key(String key, String fingerprint) {
        return prefix(key) + fingerprint;
    }

    private static String prefix(String key) {
        return (key == null ? "" : key) + SEPARATOR;
    }
}
