package dev.incidentengine.ingest.normalize;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Reads RFC 3339 timestamps ({@code 2026-11-22T09:00:00.123456789Z}, {@code ...+01:00}) and the
 * {@code +0000} offsets of PagerDuty's examples, by hand: java.time's formatters cost more than
 * the rest of normalizing an alert.
 */
final class Rfc3339 {

    private Rfc3339() {
    }

    /** @throws DateTimeException when the text is not such a timestamp */
    static Instant parse(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || !isSeparator(text.charAt(10))
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            throw new DateTimeException("not an RFC 3339 timestamp");
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int position = 19;
        int nanos = 0;
        if (text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && Character.isDigit(text.charAt(position))) {
                position++;
            }
            int count = position - start;
            if (count == 0 || count > 9) {
                throw new DateTimeException("bad fraction of a second");
            }
            nanos = digits(text, start, count);
            for (int i = count; i < 9; i++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset = offset(text, position);
        return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
    }

    private static ZoneOffset offset(String text, int position) {
        int remaining = text.length() - position;
        char sign = remaining > 0 ? text.charAt(position) : ' ';
        if ((sign == 'Z' || sign == 'z') && remaining == 1) {
            return ZoneOffset.UTC;
        }
        if (sign != '+' && sign != '-') {
            throw new DateTimeException("missing time zone offset");
        }
        int hours;
        int minutes;
        if (remaining == 6 && text.charAt(position + 3) == ':') {
            hours = digits(text, position + 1, 2);
            minutes = digits(text, position + 4, 2);
        } else if (remaining == 5) {
            hours = digits(text, position + 1, 2);
            minutes = digits(text, position + 3, 2);
        } else {
            throw new DateTimeException("bad time zone offset");
        }
        int seconds = (hours * 60 + minutes) * 60;
        return ZoneOffset.ofTotalSeconds(sign == '-' ? -seconds : seconds);
    }

    private static boolean isSeparator(char c) {
        return c == 'T' || c == 't' || c == ' ';
    }

    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeException("not a digit at " + i);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
