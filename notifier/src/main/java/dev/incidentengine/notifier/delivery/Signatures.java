package dev.incidentengine.notifier.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed webhooks: {@code X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">} with the
 * endpoint's secret, and {@code X-Signature-Timestamp: <unix seconds>}. Signing the timestamp with
 * the body lets a receiver refuse a replayed request that is older than it tolerates.
 */
public final class Signatures {

    public static final String SIGNATURE_HEADER = "X-Signature";
    public static final String TIMESTAMP_HEADER = "X-Signature-Timestamp";

    private Signatures() {
    }

    public static String sign(byte[] secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** What a receiver checks: the signature matches (in constant time) and the timestamp is within {@code toleranceSeconds} of now. */
    public static boolean verify(byte[] secret, String signature, String timestamp, byte[] body, long nowSeconds, long toleranceSeconds) {
        if (signature == null || timestamp == null || !timestamp.matches("\\d{1,12}")) {
            return false;
        }
        long at = Long.parseLong(timestamp);
        return Math.abs(nowSeconds - at) <= toleranceSeconds && MessageDigest.isEqual(
                sign(secret, at, body).getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8));
    }
}
