package dev.incidentengine.ingest.normalize;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alert identities. A fingerprint is scoped by integration ({@code <integration>/<identity>}),
 * so two integrations never collide; the identity is the one the source gave, else a hash of
 * the identifying labels (sorted, so label order does not matter).
 */
public final class Fingerprints {

    private Fingerprints() {
    }

    public static String scoped(String integrationId, String identity) {
        return (integrationId == null ? "kafka" : integrationId) + "/" + identity;
    }

    /** 16 hex digits of the SHA-256 of the sorted labels. */
    public static String ofLabels(Map<String, String> labels) {
        StringBuilder canonical = new StringBuilder();
        new TreeMap<>(labels).forEach((name, value) ->
                canonical.append(name).append('\u0000').append(value).append('\u0000'));
        return hash(canonical.toString());
    }

    public static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
