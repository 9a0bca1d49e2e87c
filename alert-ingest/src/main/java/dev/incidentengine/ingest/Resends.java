package dev.incidentengine.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Absorbs unchanged resends: Prometheus re-sends every firing alert each resend interval, unchanged
 * but for {@code endsAt}, and incident-stream's Dedupe would only count such a copy and move the
 * alert's expiry deadline. A bounded, per-instance memory of what was last written for each
 * fingerprint (a hash of its content without {@code receivedAt} and {@code endsAt}, and its {@code endsAt})
 * tells such a resend apart; it is answered as accepted and not written, since identical content
 * is already on {@code alerts.v1}.
 *
 * <p>A resend is absorbed only while what incident-stream holds stays true: the same fingerprint and
 * content, firing then and now, and the written {@code endsAt} (incident-stream's expiry deadline)
 * still at least half as far ahead as the new one. So the deadline is refreshed while at least
 * half of the sender's lead is left, well before it passes: Prometheus sets {@code endsAt} four
 * resend intervals ahead, so about one resend in three is written. An alert whose sender stops
 * resolves on its own at the written {@code endsAt}: at most half a lead before the last one sent.
 * Anything else is written: a status other than firing, a changed label, annotation or
 * severity, an {@code endsAt} that comes or goes or moves earlier.
 *
 * <p>The memory is updated only once Kafka acknowledged a write ({@link Batch#acked}), per record, in
 * the order Kafka stored them; a failed write leaves it as it was. It is striped, each stripe a
 * synchronized access-ordered map dropping its least recently used entry: O(1) per alert. Each
 * instance has its own, and a restart starts empty: at worst more is written.
 */
final class Resends {

    private static final int MAX_STRIPES = 16;
    private static final Schema.Field ENDS_AT = Alert.SCHEMA$.getField("endsAt");
    private static final Schema.Field RECEIVED_AT = Alert.SCHEMA$.getField("receivedAt");

    /** What was last written for a fingerprint: its content's hash (128 bits), and its endsAt (millis, or {@link #NONE}). */
    private record Written(long hashHigh, long hashLow, long endsAt) {
    }

    private static final long NONE = Long.MIN_VALUE;

    private final Stripe[] stripes;

    private static final class Stripe extends LinkedHashMap<String, Written> {
        private final int capacity;

        Stripe(int capacity) {
            super(16, 0.75f, true);
            this.capacity = capacity;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > capacity;
        }
    }

    /** @param entries the most fingerprints remembered; 0 turns absorption off */
    Resends(int entries) {
        this(entries, MAX_STRIPES);
    }

    /** @param stripes how many independently locked parts the entries are spread over (tests: 1, for exact LRU order) */
    Resends(int entries, int stripes) {
        int count = Math.min(stripes, entries);
        this.stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            this.stripes[i] = new Stripe(entries / count + (i < entries % count ? 1 : 0));
        }
    }

    private boolean enabled() {
        return stripes.length > 0;
    }

    /**
     * A request's alerts sorted into those to write and those absorbed; {@link #acked} remembers a
     * written one once Kafka acknowledged it.
     */
    final class Batch {
        private final List<Alert> write;
        /** Per alert to write: what to remember once acknowledged (null: forget the fingerprint). */
        private final List<Written> remember;
        private final int absorbed;

        private Batch(List<Alert> write, List<Written> remember, int absorbed) {
            this.write = write;
            this.remember = remember;
            this.absorbed = absorbed;
        }

        List<Alert> write() {
            return write;
        }

        int absorbed() {
            return absorbed;
        }

        /** Kafka acknowledged {@code write().get(index)}: it is what incident-stream holds for its fingerprint from now on. */
        void acked(int index) {
            if (remember == null) {
                return;
            }
            String fingerprint = write.get(index).getFingerprint();
            Written written = remember.get(index);
            Stripe stripe = stripe(fingerprint);
            synchronized (stripe) {
                if (written == null) {
                    // Resolved or acknowledged: nothing to absorb until it fires again, which is then written.
                    stripe.remove(fingerprint);
                } else {
                    stripe.put(fingerprint, written);
                }
            }
        }
    }

    /** Sorts the alerts: an unchanged resend of what was last written is absorbed, the others are to be written. */
    Batch select(List<Alert> alerts, Instant now) {
        if (!enabled()) {
            return new Batch(alerts, null, 0);
        }
        List<Alert> write = new ArrayList<>(alerts.size());
        List<Written> remember = new ArrayList<>(alerts.size());
        for (Alert alert : alerts) {
            Written current = alert.getStatus() == AlertStatus.FIRING ? written(alert) : null;
            if (current == null || !absorbed(current, lastWritten(alert.getFingerprint()), now.toEpochMilli())) {
                write.add(alert);
                remember.add(current);
            }
        }
        return new Batch(write, remember, alerts.size() - write.size());
    }

    private Written lastWritten(String fingerprint) {
        Stripe stripe = stripe(fingerprint);
        synchronized (stripe) {
            return stripe.get(fingerprint);
        }
    }

    /**
     * Whether a firing alert is an unchanged resend of the last one written for its fingerprint
     * (null: none): same content, firing both times, and an endsAt that does not need writing.
     */
    private static boolean absorbed(Written current, Written last, long now) {
        if (last == null || current.hashHigh != last.hashHigh || current.hashLow != last.hashLow) {
            return false;
        }
        if (last.endsAt == NONE || current.endsAt == NONE) {
            return last.endsAt == current.endsAt; // neither expires; or an endsAt that comes or goes is written
        }
        if (current.endsAt < last.endsAt) {
            return false; // the deadline moves earlier
        }
        // Absorbed while the written deadline is at least half the new lead ahead: refreshed well before it passes.
        return last.endsAt > now && last.endsAt - now >= (current.endsAt - now) / 2.0;
    }

    private static Written written(Alert alert) {
        long[] hash = hash(alert);
        return new Written(hash[0], hash[1], alert.getEndsAt() == null ? NONE : alert.getEndsAt().toEpochMilli());
    }

    /** Fingerprints remembered. */
    int size() {
        int size = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                size += stripe.size();
            }
        }
        return size;
    }

    private Stripe stripe(String fingerprint) {
        return stripes[Math.floorMod(fingerprint.hashCode(), stripes.length)];
    }

    /** The first 128 bits of the SHA-256 of the alert's Avro encoding without receivedAt and endsAt: every other field counts. */
    private static long[] hash(Alert alert) {
        Hasher hasher = HASHER.get();
        try {
            hasher.writer.write(alert, hasher.encoder);
            hasher.encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a digest does not fail to take bytes
        }
        byte[] digest = hasher.digest.digest();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (digest[i] & 0xff);
            low = low << 8 | (digest[i + 8] & 0xff);
        }
        return new long[] {high, low};
    }

    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

    /** An Avro encoder into a digest, per thread: no copy of the alert, and a field added to Alert counts by itself. */
    private static final class Hasher {
        final MessageDigest digest;
        final BinaryEncoder encoder;
        final SpecificDatumWriter<Alert> writer = new SpecificDatumWriter<>(Alert.SCHEMA$) {
            @Override
            protected void writeField(Object datum, Schema.Field field, Encoder out, Object state) throws IOException {
                if (field.pos() != ENDS_AT.pos() && field.pos() != RECEIVED_AT.pos()) {
                    super.writeField(datum, field, out, state);
                }
            }

            /** Entries by key: equal maps hash alike whatever order they were built in. */
            @Override
            protected void writeMap(Schema schema, Object datum, Encoder out) throws IOException {
                TreeMap<String, Object> sorted = new TreeMap<>();
                ((Map<?, ?>) datum).forEach((key, value) -> sorted.put(key.toString(), value));
                super.writeMap(schema, sorted, out);
            }
        };

        Hasher() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-256", e);
            }
            encoder = EncoderFactory.get().binaryEncoder(new OutputStream() {
                @Override
                public void write(int b) {
                    digest.update((byte) b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    digest.update(bytes, offset, length);
                }
            }, null);
        }
    }
}
