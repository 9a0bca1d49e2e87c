package dev.incidentengine.ticketing;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A system's base URL: absolute http(s) with a host, no credentials (they have settings of their own, kept secret) and no
 * query or fragment (paths are appended to it).
 */
public final class HttpUrlValidator implements ConfigDef.Validator {

    public static final HttpUrlValidator INSTANCE = new HttpUrlValidator();

    private HttpUrlValidator() {
    }

    /** The URL without trailing slashes, for a value that passed {@link #ensureValid}. */
    public static String base(String url) {
        return url.strip().replaceAll("/+$", "");
    }

    @Override
    public void ensureValid(String name, Object value) {
        if (value == null) {
            return; // Kafka's own message names a missing required value: one error, not two
        }
        try {
            URI uri = new URI(value.toString().strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new ConfigException(name, value, "not an absolute http(s) URL with a host");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigException(name, "[hidden]", "an absolute http(s) URL without credentials: give them in their own settings");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(name, value, "a base URL takes no query or fragment");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(name, value, "not a URL: " + e.getReason());
        }
    }

    @Override
    public String toString() {
        return "an http(s) URL";
    }
}
