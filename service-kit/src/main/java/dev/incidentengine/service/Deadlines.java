package dev.incidentengine.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store of deadlines keyed {@code <epoch millis, 13 digits>|<what>}: keys sort by time, so a
 * punctuation range-scans only what is due and its cost grows with due deadlines, not pending ones.
 */
public final class Deadlines {

    /** A due deadline: when, what (the key after the time) and the stored value. */
    public record Due(Instant at, String what, String value) {
    }

    private final KeyValueStore<String, String> store;

    public Deadlines(KeyValueStore<String, String> store) {
        this.store = store;
    }

    public void put(Instant at, String what, String value) {
        store.put(key(at, what), value);
    }

    public void delete(Instant at, String what) {
        store.delete(key(at, what));
    }

    private static String key(Instant at, String what) {
        return String.format("%013d|%s", at.toEpochMilli(), what);
    }

    /** Removes and returns every deadline at or before {@code now}, earliest first. */
    public List<Due> takeDue(Instant now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> range = store.range(null, String.format("%013d~", now.toEpochMilli()))) {
            range.forEachRemaining(due::add);
        }
        List<Due> taken = new ArrayList<>(due.size());
        for (KeyValue<String, String> entry : due) {
            store.delete(entry.key);
            taken.add(new Due(Instant.ofEpochMilli(Long.parseLong(entry.key.substring(0, 13))), entry.key.substring(14), entry.value));
        }
        return taken;
    }
}
