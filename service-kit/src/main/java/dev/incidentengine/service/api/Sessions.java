package dev.incidentengine.service.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browser sessions of the console: a signed cookie, so that every instance that holds the same
 * secret ({@code api.session.secret.file}) accepts it without shared state, and one that restarts
 * keeps its users signed in.
 *
 * <p>The cookie names the user and how they signed in (the fingerprint of their API token, so that
 * removing the token from the tokens file ends its sessions, and the role is always the token's
 * current one), when it was issued and when it expires, and a random nonce, from which the CSRF
 * token is derived; all signed with HMAC-SHA256. It holds no secret: a fingerprint is 64 bits of a
 * token's SHA-256. A signed-out nonce is refused until the session would have expired; {@link SessionLog}
 * tells every instance of it.
 *
 * <p>A sign-in link's token is signed the same way under another prefix, so a link is never a
 * cookie nor the other way round: it names the user, the token whose role the session gets, a nonce
 * and its expiry. Whoever holds the secret can make it from those fields (the notifier does, from a
 * {@code SessionEvent} that holds only them); no one else can.
 */
public final class Sessions {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    /** The session cookie's name. */
    public static final String COOKIE = "incident_session";
    /** The header that carries the CSRF token on every request that changes something. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MIN_SECRET_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A verified session: who, through which token, and its CSRF token. */
    public record Session(String user, String fingerprint, Instant expiresAt, String csrf, String nonce) {
    }

    /** A verified sign-in link: whose, the token whose role its session gets, and until when it works. */
    public record Link(String user, String fingerprint, String nonce, Instant expiresAt) {
    }

    private final SecretKeySpec key;
    private final Duration maxAge;
    private final Clock clock;
    private final Map<String, Instant> signedOut = new ConcurrentHashMap<>();
    /** Whether every sign-out written before this instance started is known; see {@link SessionLog}. */
    private volatile BooleanSupplier logRead = () -> true;

    Sessions(byte[] secret, Duration maxAge, Clock clock) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the session secret must have at least " + MIN_SECRET_BYTES + " bytes, not " + secret.length);
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /**
     * Sessions signed with the secret in {@code secretFile}; with none, a random secret of this
     * process, shared by its services (sessions end when it restarts and other instances refuse
     * them: fine for one local engine, said in the log).
     */
    public static Sessions load(String secretFile, Duration maxAge, Clock clock) {
        if (secretFile == null || secretFile.isBlank()) {
            log.warn("No api.session.secret.file: console sessions are signed with a secret of this process only; they end when it "
                    + "restarts and other instances refuse them");
            return new Sessions(ProcessSecret.SECRET, maxAge, clock);
        }
        Path path = Path.of(secretFile);
        try {
            return new Sessions(Files.readString(path, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8), maxAge, clock);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read the session secret (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage());
        }
    }

    /** Made on first use, once per process. */
    private static final class ProcessSecret {
        static final byte[] SECRET = new byte[MIN_SECRET_BYTES];

        static {
            RANDOM.nextBytes(SECRET);
        }
    }

    /** Sessions are checked only once {@code read} says the log of sign-outs is read; until then they answer 503. */
    void awaitLog(BooleanSupplier read) {
        this.logRead = read;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** 128 random bits, URL-safe: names a session or a sign-in link. */
    public static String newNonce() {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        return B64.encodeToString(nonce);
    }

    /** A new session's cookie value for {@code user}, signed in with the token of {@code fingerprint}. */
    public String issue(String user, String fingerprint) {
        Instant now = clock.instant();
        String payload = String.join(".", fingerprint, Long.toString(now.getEpochSecond()),
                Long.toString(now.plus(maxAge).getEpochSecond()), newNonce(), B64.encodeToString(user.getBytes(StandardCharsets.UTF_8)));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** The token of a sign-in link: these fields signed (under the prefix {@code link.}, so it is never a valid cookie). */
    public String linkToken(Link link) {
        String payload = String.join(".", B64.encodeToString(link.user().getBytes(StandardCharsets.UTF_8)), link.fingerprint(),
                link.nonce(), Long.toString(link.expiresAt().getEpochSecond()));
        return payload + "." + B64.encodeToString(mac("link." + payload));
    }

    /** The link of a token if its signature holds and it has not expired; whether it was used already is {@link SessionLog}'s to say. */
    public Optional<Link> verifyLink(String token) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        String[] fields = token.split("\\.", -1);
        if (fields.length != 5) {
            return Optional.empty();
        }
        String payload = token.substring(0, token.lastIndexOf('.'));
        try {
            if (!MessageDigest.isEqual(mac("link." + payload), B64_DECODER.decode(fields[4]))) {
                return Optional.empty();
            }
            Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(fields[3]));
            if (!clock.instant().isBefore(expiresAt)) {
                return Optional.empty();
            }
            return Optional.of(new Link(new String(B64_DECODER.decode(fields[0]), StandardCharsets.UTF_8), fields[1], fields[2], expiresAt));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The session of a cookie value if its signature holds, it has not expired and it was not signed out. */
    public Optional<Session> verify(String cookie) {
        if (cookie == null || cookie.length() > 1024) {
            return Optional.empty();
        }
        if (!logRead.getAsBoolean()) {
            throw new ApiError(503, null, "starting: console sessions are not checked until this instance has read who signed out");
        }
        int signatureAt = cookie.lastIndexOf('.');
        if (signatureAt < 0) {
            return Optional.empty();
        }
        String payload = cookie.substring(0, signatureAt);
        byte[] signature;
        try {
            signature = B64_DECODER.decode(cookie.substring(signatureAt + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            return Optional.empty();
        }
        String[] fields = payload.split("\\.", -1);
        if (fields.length != 5) {
            return Optional.empty();
        }
        Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(fields[2]));
        if (!clock.instant().isBefore(expiresAt) || signedOut.containsKey(fields[3])) {
            return Optional.empty();
        }
        String user = new String(B64_DECODER.decode(fields[4]), StandardCharsets.UTF_8);
        return Optional.of(new Session(user, fields[0], expiresAt, B64.encodeToString(mac("csrf." + fields[3])), fields[3]));
    }

    /** Refuses the session of {@code nonce} from now on, here; {@link SessionLog} calls it for every sign-out of every instance. */
    public void signOut(String nonce, Instant expiresAt) {
        Instant now = clock.instant();
        signedOut.values().removeIf(expiry -> !now.isBefore(expiry));
        if (now.isBefore(expiresAt)) {
            signedOut.put(nonce, expiresAt);
        }
    }

    /** Whether {@code presented} is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(Session session, String presented) {
        return presented != null && MessageDigest.isEqual(session.csrf().getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
