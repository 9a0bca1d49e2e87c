package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.incidentengine.incident.domain.Reviews;
import dev.incidentengine.model.IncidentState;

/**
 * How the read side's RocksDB keys are spelled, so that byte order is the order people ask for.
 * Parts are joined by U+0000, which sorts before every character of a value, so a prefix and the
 * same prefix followed by U+0001 bound exactly its keys. Numbers are fixed width.
 *
 * <ul>
 *   <li>List index: {@code dimension␀value␀position}, position = {@code newest-first openedAt␀incidentId}:
 *       one entry per dimension an incident is listed under ({@link Dimension}).</li>
 *   <li>Event log: {@code incidentId␀sequence␀offset}, so an incident's events are one range, in log order.</li>
 *   <li>Alerts of an incident: {@code incidentId␀o␀ordinal}, {@code incidentId␀f␀fingerprint}, {@code incidentId␀n}.</li>
 *   <li>Search: {@code word␀word␀position} in the list index; per incident its position and words, per word its incidents' count.</li>
 *   <li>Command results: {@code incidentId␀commandId}.</li>
 * </ul>
 */
public final class QueryKeys {

    static final char SEPARATOR = '\u0000';
    static final String REVIEW_PENDING = "pending";
    private static final char AFTER_SEPARATOR = '\u0001';
    static final int MAX_WORD_LENGTH = 64;

    /** What a list can be narrowed by without reading incidents that do not match. */
    public enum Dimension {
        ALL, STATUS, SERVICE, SEVERITY, ASSIGNEE,
        /** Only {@code pending}: a required review not yet published. */
        REVIEW,
        /** A word of the incident's title, service or labels, or of its alerts' labels ({@link #words}), for search. */
        WORD;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private QueryKeys() {
    }

    /** Every index key the incident is listed under: all incidents, its status, service, severity, assignee and a pending review. */
    public static List<String> index(IncidentState state) {
        String position = position(state.getOpenedAt(), state.getIncidentId());
        List<String> keys = new ArrayList<>(5);
        keys.add(prefix(Dimension.ALL, "") + position);
        keys.add(prefix(Dimension.STATUS, state.getStatus().name()) + position);
        keys.add(prefix(Dimension.SEVERITY, state.getSeverity().name()) + position);
        if (state.getService() != null) {
            keys.add(prefix(Dimension.SERVICE, state.getService()) + position);
        }
        if (state.getAssigneeUserId() != null) {
            keys.add(prefix(Dimension.ASSIGNEE, state.getAssigneeUserId()) + position);
        }
        if (Reviews.pending(state.getReview())) {
            keys.add(prefix(Dimension.REVIEW, REVIEW_PENDING) + position);
        }
        return keys;
    }

    /**
     * The words of a text as search finds them: lower case, split at anything but letters and digits,
     * each at most {@value #MAX_WORD_LENGTH} characters (a longer one is cut), in order, without repeats.
     */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean wordChar = i < text.length() && Character.isLetterOrDigit(text.charAt(i));
            if (wordChar && start < 0) {
                start = i;
            } else if (!wordChar && start >= 0) {
                String word = text.substring(start, Math.min(i, start + MAX_WORD_LENGTH)).toLowerCase(Locale.ROOT);
                if (!words.contains(word)) {
                    words.add(word);
                }
                start = -1;
            }
        }
        return words;
    }

    /** An incident's search entry ({@code id␀w} → {@link SearchEntry}): its position and its words. */
    static String searchEntry(String incidentId) {
        return incidentId + SEPARATOR + 'w';
    }

    /** How many incidents of the partition a word finds ({@code ␁word}; no incident id starts with U+0001). */
    static String wordCount(String word) {
        return AFTER_SEPARATOR + word;
    }

    /** Index keys as one string (no key holds U+0001), and back. */
    static String join(List<String> indexKeys) {
        return String.join(String.valueOf(AFTER_SEPARATOR), indexKeys);
    }

    static List<String> split(String joined) {
        return List.of(joined.split(String.valueOf(AFTER_SEPARATOR), -1));
    }

    /** The start of every index key of one dimension's value. */
    public static String prefix(Dimension dimension, String value) {
        // A value holding the separator could pass for a shorter value's prefix, one holding U+0001
        // could end a range or split a joined list early: values hold neither.
        return dimension.label() + SEPARATOR + value.replace(SEPARATOR, '\uFFFD').replace(AFTER_SEPARATOR, '\uFFFD') + SEPARATOR;
    }

    /** Just after every key that starts with {@code prefix} (which ends with the separator). */
    public static String end(String prefix) {
        return prefix.substring(0, prefix.length() - 1) + AFTER_SEPARATOR;
    }

    /** Newest first, then by id: the order of lists and of their cursors. */
    public static String position(Instant openedAt, String incidentId) {
        return digits(Long.MAX_VALUE - openedAt.toEpochMilli()) + SEPARATOR + incidentId;
    }

    /** The incident id at the end of an index key. */
    public static String incidentId(String indexKey) {
        return indexKey.substring(indexKey.lastIndexOf(SEPARATOR) + 1);
    }

    /** The incident id at the end of a position. */
    public static String incidentIdOfPosition(String position) {
        return position.substring(position.indexOf(SEPARATOR) + 1);
    }

    /** The position part of an index key: what a cursor holds. */
    public static String positionOf(String indexKey) {
        int id = indexKey.lastIndexOf(SEPARATOR);
        return indexKey.substring(indexKey.lastIndexOf(SEPARATOR, id - 1) + 1);
    }

    /**
     * An event: its incident, sequence, and offset in the log. A rejected command's event carries the
     * sequence of the event before it (a rejection changes nothing), so the offset tells them apart
     * and keeps log order.
     */
    public static String event(String incidentId, long sequence, long offset) {
        return eventsFrom(incidentId, sequence) + SEPARATOR + digits(offset);
    }

    /** Before every event of the incident with this sequence or a later one. */
    public static String eventsFrom(String incidentId, long sequence) {
        return incidentId + SEPARATOR + digits(sequence);
    }

    /** After every event of the incident. */
    public static String eventsEnd(String incidentId) {
        return incidentId + AFTER_SEPARATOR;
    }

    /** An incident's alerts in the order they were first attached: {@code id␀o␀ordinal} → fingerprint. */
    static String alertAt(String incidentId, long ordinal) {
        return incidentId + SEPARATOR + 'o' + SEPARATOR + digits(ordinal);
    }

    static String alertsEnd(String incidentId) {
        return incidentId + SEPARATOR + 'o' + AFTER_SEPARATOR;
    }

    /** One alert of an incident: {@code id␀f␀fingerprint} → its {@link AlertEntry}. */
    static String alert(String incidentId, String fingerprint) {
        return incidentId + SEPARATOR + 'f' + SEPARATOR + fingerprint;
    }

    /** The ordinal of an {@link #alertAt} key. */
    static long ordinalOfAlertAt(String key) {
        return Long.parseLong(key, key.length() - DIGITS, key.length(), 10);
    }

    public static String result(String incidentId, String commandId) {
        return incidentId + SEPARATOR + commandId;
    }

    /** When a result expires, then its key: results leave the store in this order. */
    static String expiry(Instant at, String resultKey) {
        return digits(at.toEpochMilli()) + SEPARATOR + resultKey;
    }

    static String resultKeyOfExpiry(String expiryKey) {
        return expiryKey.substring(expiryKey.indexOf(SEPARATOR) + 1);
    }

    private static final int DIGITS = 19;

    /** A non-negative number as 19 digits, zero-padded, so that text order is number order (String.format, without its parsing). */
    private static String digits(long value) {
        if (value < 0) {
            return String.format("%019d", value);
        }
        String plain = Long.toString(value);
        return "0".repeat(DIGITS - plain.length()) + plain;
    }
}
