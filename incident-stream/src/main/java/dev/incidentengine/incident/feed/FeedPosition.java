package dev.incidentengine.incident.feed;

import java.util.regex.Pattern;

import dev.incidentengine.service.api.ApiError;

/**
 * A position in {@code incident.events.v1}, the id of every change feed event: per partition, in
 * partition order, the offset after the last event read, joined by dots ({@code 120.0.37.5.9.64}).
 * Any instance can resume from it, since it names the log, not the instance.
 */
final class FeedPosition {

    /** Longer ids are refused unread: 20 digits and a dot per partition is far more than a real log needs. */
    private static final int MAX_LENGTH = 21 * 1024;
    private static final Pattern OFFSET = Pattern.compile("\\d{1,18}");

    private FeedPosition() {
    }

    static String render(long[] offsets) {
        StringBuilder text = new StringBuilder(offsets.length * 8);
        for (int p = 0; p < offsets.length; p++) {
            if (p > 0) {
                text.append('.');
            }
            text.append(offsets[p]);
        }
        return text.toString();
    }

    /** The offsets of {@code text}, which must name each of {@code partitions} partitions. */
    static long[] parse(String text, int partitions) {
        if (text.length() > MAX_LENGTH) {
            throw refused("is too long");
        }
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != partitions) {
            throw refused("must have an offset for each of the log's " + partitions + " partitions, not " + parts.length);
        }
        long[] offsets = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            if (!OFFSET.matcher(parts[p]).matches()) {
                throw refused("has '" + (parts[p].length() > 20 ? parts[p].substring(0, 20) + "…" : parts[p])
                        + "' where partition " + p + "'s offset belongs");
            }
            offsets[p] = Long.parseLong(parts[p]);
        }
        return offsets;
    }

    /** Whether {@code position} is past {@code than} in any partition. */
    static boolean ahead(long[] position, long[] than) {
        for (int p = 0; p < position.length; p++) {
            if (position[p] > than[p]) {
                return true;
            }
        }
        return false;
    }

    private static ApiError refused(String why) {
        return new ApiError(400, "Last-Event-ID", why + " (an id of this feed: one offset per partition, joined by dots)");
    }
}
