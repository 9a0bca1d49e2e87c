package dev.incidentengine.service.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status page's keys, all derived from one secret file ({@value #CONFIG}) that the status page and the notifier share:
 * HMAC-SHA256 of the secret over a distinct label per use (a KDF in the manner of HKDF-Expand with one block), so no key
 * can stand in for another.
 * <ul>
 *   <li>{@link #seal}/{@link #open}: a subscriber's address, AES-256-GCM, the 12-byte random nonce first, under
 *       {@link #keyId()} (which names the key, never reveals it, so keys can be rotated);</li>
 *   <li>{@link #digest}: HMAC of the normalized address, to find a subscriber by address without storing it;</li>
 *   <li>{@link #token}/{@link #tokenMatches}: the confirm and unsubscribe links' tokens, HMACs of the subscriber id, so
 *       no token is stored anywhere; compared in constant time;</li>
 *   <li>{@link #webhookSecret}: a webhook subscriber's signing secret, derived the same way, shown once, never stored.</li>
 * </ul>
 * The secret never reaches a log or an exception message.
 */
public final class SubscriberSeal {

    /** The configuration key naming the secret file, for the status page and the notifier alike. */
    public static final String CONFIG = "status.secret.file";
    private static final Logger log = LoggerFactory.getLogger(SubscriberSeal.class);
    public static final int MIN_SECRET_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** What a link does: its token is valid for that purpose only. */
    public enum Purpose {
        CONFIRM, UNSUBSCRIBE
    }

    private final byte[] sealKey;
    private final byte[] digestKey;
    private final byte[] confirmKey;
    private final byte[] unsubscribeKey;
    private final byte[] webhookKey;
    private final String keyId;

    public SubscriberSeal(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the status secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        sealKey = derive(secret, "seal");
        digestKey = derive(secret, "address-digest");
        confirmKey = derive(secret, "confirm-link");
        unsubscribeKey = derive(secret, "unsubscribe-link");
        webhookKey = derive(secret, "webhook-secret");
        keyId = HexFormat.of().formatHex(derive(secret, "key-id"), 0, 8);
    }

    /** Reads the secret file; a missing, unreadable or short file is an error that names the file and the key, not the secret. */
    public static SubscriberSeal load(String file) {
        if (file == null || file.isBlank()) {
            throw new IllegalArgumentException(CONFIG + " is required: a file (readable by this service's user only) holding at least "
                    + MIN_SECRET_BYTES + " random bytes, shared by the status page and the notifier");
        }
        Path path = Path.of(file);
        try {
            if (Files.getFileAttributeView(path, PosixFileAttributeView.class) != null
                    && Files.getPosixFilePermissions(path).stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                log.warn("{} {} can be read by others than its owner: chmod 600 it", CONFIG, path);
            }
            return new SubscriberSeal(Files.readString(path, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(CONFIG + " " + path + ": cannot read the status secret (" + e.getClass().getSimpleName() + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CONFIG + " " + path + ": " + e.getMessage());
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The address, sealed: nonce (12 bytes), then AES-256-GCM ciphertext and tag; the key id is the associated data. */
    public byte[] seal(String address) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sealKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(address.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** The address a {@link #seal} made; an error when another key sealed it, or the bytes were changed. */
    public String open(byte[] sealed, String sealedKeyId) {
        if (!keyId.equals(sealedKeyId)) {
            throw new IllegalArgumentException("sealed under key " + sealedKeyId + ", which this secret does not hold (this one is " + keyId + ")");
        }
        if (sealed == null || sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("sealed address too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(sealKey, "AES"), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("sealed address does not open: changed, or sealed under another secret");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * The address's digest, hex: e-mail addresses compare case-insensitively here (providers treat the local part so in
     * practice), URLs as written, both stripped; so one address has one digest.
     */
    public String digest(String address) {
        return HexFormat.of().formatHex(hmac(digestKey, normalize(address)));
    }

    public static String normalize(String address) {
        String stripped = address.strip();
        return stripped.contains("://") ? stripped : stripped.toLowerCase(Locale.ROOT);
    }

    /** The link token for this subscriber and purpose: URL-safe, 256 bits. */
    public String token(Purpose purpose, String subscriberId) {
        return B64.encodeToString(hmac(purpose == Purpose.CONFIRM ? confirmKey : unsubscribeKey, subscriberId));
    }

    /** Whether {@code token} is the subscriber's token for the purpose, in constant time. */
    public boolean tokenMatches(Purpose purpose, String subscriberId, String token) {
        if (subscriberId == null || token == null) {
            return false;
        }
        return MessageDigest.isEqual(token(purpose, subscriberId).getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** A webhook subscriber's signing secret: shown to them once when they subscribe, derived again by the notifier to sign. */
    public String webhookSecret(String subscriberId) {
        return "whsec_" + B64.encodeToString(hmac(webhookKey, subscriberId));
    }

    /** 128 random bits, URL-safe: a new subscriber's id. */
    public static String newId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return B64.encodeToString(id);
    }

    private static byte[] derive(byte[] secret, String label) {
        return hmac(secret, "incident-engine/status/" + label);
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "SubscriberSeal[key " + keyId + "]";
    }
}
