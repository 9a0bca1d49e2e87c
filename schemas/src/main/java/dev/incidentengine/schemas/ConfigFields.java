package dev.incidentengine.schemas;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static dev.incidentengine.schemas.ConfigProblem.require;

/**
 * Rules for fields that several kinds of config record share (severities, URLs, addresses, ids, days and times), so
 * every owner's checks word them alike. Each throws {@link ConfigProblem} naming the field it is given.
 */
public final class ConfigFields {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final Pattern HH_MM = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");

    private ConfigFields() {
    }

    /** An id that commands and URLs name (roles, incident types, runbooks, tiers): lower-case letters, digits and dashes. */
    public static void id(String id, String field) {
        require(ID.matcher(id).matches(), field, "must be lower-case letters, digits and dashes (at most 64), not '" + id + "'");
    }

    public static boolean isEmail(String address) {
        return EMAIL.matcher(address).matches();
    }

    /** A phone number in E.164 form, as SMS and voice providers take it. */
    public static boolean isPhoneNumber(String address) {
        return E164.matcher(address).matches();
    }

    public static void httpUrl(String address, String field) {
        boolean valid;
        try {
            URI uri = address == null ? null : new URI(address);
            valid = uri != null && uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
        } catch (URISyntaxException e) {
            valid = false;
        }
        require(valid, field, "must be an http(s) URL, not '" + address + "'");
    }

    public static void severities(List<String> severities, String field) {
        for (int i = 0; i < severities.size(); i++) {
            String severity = severities.get(i);
            require(severity.matches("SEV[0-4]"), field + "[" + i + "]", "must be SEV0…SEV4, not '" + severity + "'");
        }
    }

    public static void notBlank(List<String> values, String field) {
        for (int i = 0; i < values.size(); i++) {
            require(!values.get(i).isBlank(), field + "[" + i + "]", "must not be blank");
        }
    }

    public static void zone(String zone, String field) {
        require(zone(zone) != null, field, "must be an IANA time zone such as Europe/Berlin, not '" + zone + "'");
    }

    /** The zone, or null if the text names none. */
    public static ZoneId zone(String text) {
        try {
            return text == null ? null : ZoneId.of(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** A local time of day as config gives it: HH:mm, 00:00 to 23:59. */
    public static boolean isLocalTime(String text) {
        return text != null && HH_MM.matcher(text).matches();
    }

    /** The day, case and surrounding blanks ignored, or null if the text names none. */
    public static DayOfWeek dayOfWeek(String text) {
        try {
            return text == null ? null : DayOfWeek.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
