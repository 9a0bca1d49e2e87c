package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack): {@code X-Slack-Signature} is
 * {@code v0=} and the hex HMAC-SHA256, keyed with the app's signing secret, of {@code v0:<X-Slack-Request-Timestamp>:<raw body>}.
 * A request older or newer than {@link #WINDOW} is refused (so a captured one cannot be sent later), and so is one whose
 * signature this instance already accepted within the window (so it cannot be sent again sooner). The comparison is in
 * constant time. Pure but for the clock and the memory of accepted signatures, which is bounded: past {@value #MAX_REMEMBERED}
 * the oldest are forgotten early (each needs the secret to make, and the window bounds them anyway).
 */
final class SlackSignature {

    /** Slack's own advice: five minutes either way. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int MAX_REMEMBERED = 100_000;

    /** Why a request was refused, or {@link #VALID}. */
    enum Verdict { VALID, MISSING, STALE, FORGED, REPLAYED }

    private final byte[] secret;
    private final Clock clock;
    /** Accepted signatures and their timestamps, oldest first; guarded by this. */
    private final Map<String, Long> accepted = new LinkedHashMap<>();

    SlackSignature(byte[] secret, Clock clock) {
        this.secret = secret.clone();
        this.clock = clock;
    }

    Verdict verify(String timestamp, String signature, byte[] body) {
        if (timestamp == null || signature == null || !timestamp.matches("[0-9]{1,12}") || !signature.startsWith("v0=")) {
            return Verdict.MISSING;
        }
        long seconds = Long.parseLong(timestamp);
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - seconds) > WINDOW.toSeconds()) {
            return Verdict.STALE;
        }
        byte[] expected = ("v0=" + sign(secret, timestamp, body)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.FORGED;
        }
        synchronized (accepted) {
            for (Iterator<Long> oldest = accepted.values().iterator(); oldest.hasNext(); ) {
                long at = oldest.next();
                if (now - at <= WINDOW.toSeconds() && accepted.size() < MAX_REMEMBERED) {
                    break;
                }
                oldest.remove();
            }
            if (accepted.putIfAbsent(signature, seconds) != null) {
                return Verdict.REPLAYED;
            }
        }
        return Verdict.VALID;
    }

    /** The hex HMAC-SHA256 of {@code v0:timestamp:body}: what Slack signs (and tests sign with). */
    static String sign(byte[] secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
