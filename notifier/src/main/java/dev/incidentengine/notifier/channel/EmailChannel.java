package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLHandshakeException;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.StreamProvider;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * E-mail over SMTP. Retried: refused or broken connections, timeouts, and 4xx replies (greylisting,
 * a full queue). Not retried: 5xx replies (no such mailbox, relaying denied), failed
 * authentication, invalid addresses, a missing password secret: repeating them changes nothing.
 * All recipients of a message get it or none do (no partial send), so a retry never duplicates.
 *
 * <p>Connections stay open between messages, as mail clients keep them: opening one (TCP, EHLO,
 * STARTTLS, AUTH) costs more than a message, for us and for the server. One idle for longer than
 * {@link #MAX_IDLE}, or that no longer answers NOOP, is closed and replaced before use.
 */
public final class EmailChannel implements Channel {

    static {
        // Jakarta Mail 2.1 finds its StreamProvider with a ServiceLoader scan of every jar on each
        // message, multipart and send (jakartaee/mail-api#861); naming the implementation makes it a class lookup.
        if (System.getProperty(StreamProvider.class.getName()) == null) {
            System.setProperty(StreamProvider.class.getName(), "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /** Well under the 5 minutes a server waits for a client's next command (RFC 5321 4.5.3.2.7). */
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    /** No more idle connections than this are kept; the endpoint's threads bound how many are in use. */
    private static final int MAX_IDLE_CONNECTIONS = 8;

    public enum Tls {
        /** Plain SMTP; only for a relay on the same host or network. */
        NONE,
        /** Upgrades to TLS when the server offers it, else sends in the clear. */
        STARTTLS,
        /** Refuses to send unless the server upgrades to TLS. */
        STARTTLS_REQUIRED,
        /** TLS from the first byte (port 465). */
        SMTPS
    }

    /**
     * @param username       null for a relay without authentication
     * @param passwordSecret name of the password in {@link Secrets}; read at every send, so a rotated secret takes effect
     * @param timeout        for connecting, reading and writing
     */
    public record SmtpSettings(String host, int port, String username, String passwordSecret, String from, Tls tls, Duration timeout) {

        public SmtpSettings {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("SMTP host is required");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("SMTP port must be 1..65535, not " + port);
            }
            if (passwordSecret != null && username == null) {
                throw new IllegalArgumentException("SMTP password secret " + passwordSecret + " given without a username");
            }
            if (tls == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("SMTP tls and a positive timeout are required");
            }
            if (from == null) {
                throw new IllegalArgumentException("SMTP from address is required");
            }
            envelopeSender(from);
        }
    }

    /** Where every Message-ID and thread root of ours lives, so they cannot collide with a mail client's. */
    private static final String ID_DOMAIN = "incident-engine";

    private final SmtpSettings settings;
    private final Secrets secrets;
    private final RetryPolicy policy;
    private final HttpDelivery.Sleeper sleeper;
    private final LongSupplier nanoTime;
    private final Session session;
    private final String protocol;
    /** Open connections between messages, the most recently used last. Guarded by itself. */
    private final Deque<Connection> idle = new ArrayDeque<>();

    private record Connection(Transport transport, String password, long idleSince) {
    }

    public EmailChannel(SmtpSettings settings, Secrets secrets, RetryPolicy policy, HttpDelivery.Sleeper sleeper) {
        this(settings, secrets, policy, sleeper, new Properties(), System::nanoTime);
    }

    /**
     * {@code extra} session properties: tests use it to trust a self-signed certificate, production trusts the JVM's trust store;
     * {@code nanoTime} is what a connection's idle time is measured by.
     */
    EmailChannel(SmtpSettings settings, Secrets secrets, RetryPolicy policy, HttpDelivery.Sleeper sleeper, Properties extra,
                 LongSupplier nanoTime) {
        this.settings = settings;
        this.secrets = secrets;
        this.policy = policy;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
        this.protocol = settings.tls() == Tls.SMTPS ? "smtps" : "smtp";
        String prefix = "mail." + protocol + ".";
        Properties properties = new Properties();
        properties.setProperty(prefix + "host", settings.host());
        properties.setProperty(prefix + "port", Integer.toString(settings.port()));
        // The envelope sender (bounces go there) is the bare address, without the display name.
        properties.setProperty(prefix + "from", envelopeSender(settings.from()));
        String timeout = Long.toString(settings.timeout().toMillis());
        properties.setProperty(prefix + "connectiontimeout", timeout);
        properties.setProperty(prefix + "timeout", timeout);
        properties.setProperty(prefix + "writetimeout", timeout);
        properties.setProperty(prefix + "auth", Boolean.toString(settings.username() != null));
        properties.setProperty(prefix + "starttls.enable", Boolean.toString(settings.tls() == Tls.STARTTLS || settings.tls() == Tls.STARTTLS_REQUIRED));
        properties.setProperty(prefix + "starttls.required", Boolean.toString(settings.tls() == Tls.STARTTLS_REQUIRED));
        properties.setProperty(prefix + "ssl.checkserveridentity", "true");
        properties.putAll(extra);
        this.session = Session.getInstance(properties);
    }

    private static String envelopeSender(String from) {
        try {
            InternetAddress address = new InternetAddress(from, true);
            address.validate();
            return address.getAddress();
        } catch (AddressException e) {
            throw new IllegalArgumentException("SMTP from address " + from + " is invalid: " + e.getMessage());
        }
    }

    @Override
    public String endpoint(Message message) {
        return "smtp:" + settings.host() + ":" + settings.port();
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return send(message, Map.of());
    }

    /** Sends with these headers added (a mailing list's unsubscribe headers); values must be single lines. */
    Result send(Message message, Map<String, String> headers) throws InterruptedException {
        long started = System.nanoTime();
        String messageId = messageId(message.deliveryId());
        String password;
        MimeMessage mime;
        try {
            password = settings.passwordSecret() == null ? null : secrets.require(settings.passwordSecret());
            mime = mime(message, messageId, headers);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Result.failed(e.getMessage() + " (not retried)", since(started));
        } catch (MessagingException e) {
            return Result.failed(describe(e, null) + " (not retried)", since(started));
        }
        String error = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            try {
                deliver(mime, password);
                return new Result(true, messageId, null, attempt, since(started));
            } catch (MessagingException e) {
                error = describe(e, password);
                if (!isTransient(e)) {
                    return new Result(false, null, error + " (not retried)", attempt, since(started));
                }
            }
            if (attempt < policy.maxAttempts()) {
                sleeper.sleep(policy.backoff(attempt, Optional.empty()));
            }
        }
        return new Result(false, null, error + " (gave up after " + policy.maxAttempts() + " attempts)", policy.maxAttempts(), since(started));
    }

    private void deliver(MimeMessage mime, String password) throws MessagingException {
        Transport transport = reuse(password);
        if (transport == null) {
            transport = session.getTransport(protocol);
            transport.connect(settings.host(), settings.port(), settings.username(), password);
        }
        boolean sent = false;
        try {
            transport.sendMessage(mime, mime.getAllRecipients());
            sent = true;
        } finally {
            if (sent) {
                keep(transport, password);
            } else {
                close(transport);
            }
        }
    }

    /** The most recently used idle connection that is young enough, logged in with this password and still answers NOOP. */
    private Transport reuse(String password) {
        while (true) {
            Connection connection;
            synchronized (idle) {
                connection = idle.pollLast();
            }
            if (connection == null) {
                return null;
            }
            boolean fresh = nanoTime.getAsLong() - connection.idleSince() < MAX_IDLE.toNanos();
            // isConnected() sends NOOP: a connection the server closed is found here, not by a failed (and retried) send.
            if (fresh && Objects.equals(connection.password(), password) && connection.transport().isConnected()) {
                return connection.transport();
            }
            close(connection.transport());
        }
    }

    private void keep(Transport transport, String password) {
        Connection surplus = null;
        synchronized (idle) {
            idle.addLast(new Connection(transport, password, nanoTime.getAsLong()));
            if (idle.size() > MAX_IDLE_CONNECTIONS) {
                surplus = idle.pollFirst();
            }
        }
        if (surplus != null) {
            close(surplus.transport());
        }
    }

    private static void close(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // The server has accepted the message or refused it already; a failed QUIT must not turn into a re-send.
        }
    }

    private MimeMessage mime(Message message, String messageId, Map<String, String> headers) throws MessagingException {
        InternetAddress[] recipients = InternetAddress.parse(message.address() == null ? "" : message.address(), true);
        if (recipients.length == 0) {
            throw new AddressException("no recipient in " + message.address());
        }
        for (InternetAddress recipient : recipients) {
            recipient.validate();
        }
        MimeMessage mime = new IdentifiedMessage(session, messageId);
        mime.setFrom(new InternetAddress(settings.from(), true));
        mime.setRecipients(jakarta.mail.Message.RecipientType.TO, recipients);
        mime.setSubject(message.title(), "UTF-8");
        mime.setSentDate(new Date());
        // On every message, the first included: which one a person receives first differs (a page
        // reaches someone mid-incident), and clients threading by References (Thunderbird, Apple
        // Mail, Outlook's conversation view, Gmail when the subject also matches) group messages
        // under a shared parent even when they never saw it.
        // A message about no incident (a console sign-in link) is no thread's.
        if (message.incidentId() != null) {
            String thread = "<" + safe(message.incidentId()) + "@" + ID_DOMAIN + ">";
            mime.setHeader("In-Reply-To", thread);
            mime.setHeader("References", thread);
            mime.setHeader("X-Incident-Id", message.incidentId().replaceAll("[\\r\\n]", " "));
        }
        // RFC 3834: out-of-office responders must not answer it.
        mime.setHeader("Auto-Submitted", "auto-generated");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            mime.setHeader(header.getKey(), header.getValue().replaceAll("[\\r\\n]", " "));
        }
        String text = message.text() == null ? "" : message.text();
        if (message.html() == null) {
            mime.setText(text, "UTF-8");
        } else {
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(message.html(), "UTF-8", "html");
            mime.setContent(new MimeMultipart("alternative", plain, html));
        }
        mime.saveChanges();
        return mime;
    }

    /** The same delivery always gets the same Message-ID, so a re-send after a crash is recognisable as a duplicate. */
    static String messageId(String deliveryId) {
        return "<" + safe(deliveryId) + "@" + ID_DOMAIN + ">";
    }

    /** Percent-encodes all but letters, digits and {@code _+=-}: the result is a valid Message-ID part, and distinct ids stay distinct. */
    static String safe(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : (id == null ? "" : id).getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "_+=-".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** Connection faults and 4xx replies may pass; 5xx replies, bad credentials and bad addresses will not. */
    static boolean isTransient(MessagingException e) {
        if (e instanceof AuthenticationFailedException || e instanceof AddressException) {
            return false;
        }
        boolean temporary = false;
        boolean connection = false;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 20; t = t.getCause(), depth++) {
            int code = replyCode(t);
            if (code >= 500) {
                return false;
            }
            temporary |= code >= 400;
            if (t instanceof SSLHandshakeException && t.getCause() instanceof CertificateException) {
                // An untrusted or mismatched certificate does not fix itself between attempts.
                return false;
            }
            connection |= t instanceof IOException;
        }
        return temporary || connection;
    }

    private static int replyCode(Throwable t) {
        if (t instanceof SMTPSendFailedException failed) {
            return failed.getReturnCode();
        }
        if (t instanceof SMTPAddressFailedException failed) {
            return failed.getReturnCode();
        }
        if (t instanceof SMTPSenderFailedException failed) {
            return failed.getReturnCode();
        }
        return 0;
    }

    /** The exception and what caused it, one line, the password blanked out should a server ever echo it. */
    private static String describe(MessagingException e, String password) {
        StringBuilder text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            text.append(" (").append(cause.getClass().getSimpleName()).append(cause.getMessage() == null ? "" : ": " + cause.getMessage())
                    .append(')');
        }
        String line = text.toString().strip().replaceAll("\\s+", " ");
        return password == null || password.isEmpty() ? line : line.replace(password, "***");
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Keeps our Message-ID: MimeMessage would otherwise replace it with a random one on every save. */
    private static final class IdentifiedMessage extends MimeMessage {

        private final String messageId;

        IdentifiedMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
