package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import dev.incidentengine.notifier.template.Templates;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** E-mail delivered to a real SMTP server in the test JVM (GreenMail), and the retry decisions for the faults it cannot stage. */
class EmailChannelTest {

    private static final String PASSWORD = "s3cret-Passw0rd";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(1), () -> 1.0);
    private static final Templates TEMPLATES = Templates.defaults();

    private final List<Duration> sleeps = new ArrayList<>();
    private final AtomicLong nanoTime = new AtomicLong();

    @TempDir
    Path secretsDir;

    private Secrets secrets(String password) throws IOException {
        Files.writeString(secretsDir.resolve("smtp-password"), password + "\n");
        return new Secrets(Map.of(), secretsDir);
    }

    private EmailChannel channel(EmailChannel.SmtpSettings settings, Secrets secrets, Properties extra) {
        return new EmailChannel(settings, secrets, FAST, sleeps::add, extra, nanoTime::get);
    }

    private static Message page(String address) {
        Map<String, Object> context = Map.of(
                "incident", Map.of("id", "INC-20260501-3-0042", "title", "Zahlungen schlagen fehl – Ümlaut", "severity", "SEV1",
                        "status", "TRIGGERED", "service", "payments", "url", "https://incidents.example.com/i/INC-20260501-3-0042"),
                "page", Map.of("userName", "Alice", "level", 1),
                "ack", Map.of("url", "https://incidents.example.com/ack/t1", "command", "reply ACK 17"));
        Templates.Rendered rendered = TEMPLATES.render("email", MessageKind.PAGE, context, Map.of());
        return new Message("evt-9:user/alice:email:0", "INC-20260501-3-0042", MessageKind.PAGE, address, null, rendered.title(),
                rendered.text(), rendered.html(), "https://incidents.example.com/i/INC-20260501-3-0042", "SEV1", "TRIGGERED", "payments",
                "{}", null);
    }

    @Nested
    class PlainSmtp {

        @RegisterExtension
        final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@example.com", "alerts", PASSWORD));

        private EmailChannel.SmtpSettings settings(String username, EmailChannel.Tls tls) {
            return new EmailChannel.SmtpSettings("127.0.0.1", smtp.getSmtp().getPort(), username, username == null ? null : "smtp-password",
                    "Incident Engine <alerts@example.com>", tls, TIMEOUT);
        }

        @Test
        void aPageArrivesWithBothPartsItsMessageIdAndThreadingHeaders_toEveryRecipient() throws Exception {
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.NONE), new Secrets(Map.of(), null), new Properties());

            Result result = channel.send(page("alice@example.com, Bob <bob@example.com>"));

            assertThat(result.delivered()).as(result.error()).isTrue();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.providerMessageId()).isEqualTo("<evt-9%3Auser%2Falice%3Aemail%3A0@incident-engine>");
            MimeMessage[] received = smtp.getReceivedMessages();
            assertThat(received).hasSize(2);
            assertThat(List.of(received[0].getAllRecipients()).stream().map(Address::toString))
                    .containsExactly("alice@example.com", "Bob <bob@example.com>");
            MimeMessage mail = received[0];
            assertThat(mail.getSubject()).isEqualTo("[SEV1] Page: Zahlungen schlagen fehl – Ümlaut (INC-20260501-3-0042)");
            assertThat(mail.getMessageID()).isEqualTo(result.providerMessageId());
            assertThat(mail.getHeader("In-Reply-To", null)).isEqualTo("<INC-20260501-3-0042@incident-engine>");
            assertThat(mail.getHeader("References", null)).isEqualTo("<INC-20260501-3-0042@incident-engine>");
            assertThat(mail.getHeader("X-Incident-Id", null)).isEqualTo("INC-20260501-3-0042");
            assertThat(mail.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
            assertThat(mail.getFrom()[0].toString()).isEqualTo("Incident Engine <alerts@example.com>");
            assertThat(mail.getContentType()).startsWith("multipart/alternative");
            MimeMultipart parts = (MimeMultipart) mail.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContentType()).containsIgnoringCase("text/plain").containsIgnoringCase("charset=UTF-8");
            assertThat((String) parts.getBodyPart(0).getContent()).contains("Alice, you are paged", "reply ACK 17", "Zahlungen schlagen fehl – Ümlaut");
            assertThat(parts.getBodyPart(1).getContentType()).containsIgnoringCase("text/html").containsIgnoringCase("charset=UTF-8");
            assertThat((String) parts.getBodyPart(1).getContent()).contains("<!DOCTYPE html>", "href=\"https://incidents.example.com/ack/t1\"");
        }

        @Test
        void aMessageWithoutHtmlIsPlainText() throws Exception {
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.NONE), new Secrets(Map.of(), null), new Properties());
            Message page = page("alice@example.com");

            Result result = channel.send(new Message(page.deliveryId(), page.incidentId(), page.kind(), page.address(), null, page.title(),
                    "plain only", null, page.url(), page.severity(), page.status(), page.service(), page.eventJson(), null));

            assertThat(result.delivered()).as(result.error()).isTrue();
            MimeMessage mail = smtp.getReceivedMessages()[0];
            assertThat(mail.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
            assertThat(((String) mail.getContent()).strip()).isEqualTo("plain only");
        }

        @Test
        void theRightPasswordFromTheSecretsDirectoryAuthenticates() throws Exception {
            EmailChannel channel = channel(settings("alerts", EmailChannel.Tls.NONE), secrets(PASSWORD), new Properties());

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).as(result.error()).isTrue();
            assertThat(smtp.getReceivedMessages()).hasSize(1);
        }

        @Test
        void aWrongPasswordFailsAtOnce_andTheErrorDoesNotShowIt() throws Exception {
            EmailChannel channel = channel(settings("alerts", EmailChannel.Tls.NONE), secrets("wrong-Passw0rd"), new Properties());

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.error()).contains("AuthenticationFailedException", "not retried").doesNotContain("wrong-Passw0rd", PASSWORD);
            assertThat(sleeps).isEmpty();
            assertThat(smtp.getReceivedMessages()).isEmpty();
        }

        @Test
        void aMissingPasswordSecretFailsAtOnce_namingOnlyTheSecret() throws Exception {
            EmailChannel channel = channel(settings("alerts", EmailChannel.Tls.NONE), new Secrets(Map.of(), secretsDir), new Properties());

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.error()).contains("secret smtp-password", "not retried");
            assertThat(smtp.getReceivedMessages()).isEmpty();
        }

        @Test
        void anInvalidAddressFailsAtOnce() throws Exception {
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.NONE), new Secrets(Map.of(), null), new Properties());

            for (String address : List.of("alice@example.com, bob@", "not an address", "")) {
                Result result = channel.send(page(address));

                assertThat(result.delivered()).as(address).isFalse();
                assertThat(result.attempts()).isEqualTo(1);
                assertThat(result.error()).as(address).contains("AddressException", "not retried");
            }
            assertThat(sleeps).isEmpty();
            assertThat(smtp.getReceivedMessages()).isEmpty();
        }

        @Test
        void startTlsRequiredAgainstAServerWithoutStartTlsFailsClearly_andIsNotRetried() throws Exception {
            // GreenMail 2.1 does not offer STARTTLS, so this is the refusal half of STARTTLS_REQUIRED.
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.STARTTLS_REQUIRED), new Secrets(Map.of(), null), new Properties());

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.error()).contains("STARTTLS is required", "not retried");
            assertThat(smtp.getReceivedMessages()).isEmpty();
        }

        @Test
        void startTlsWhenOfferedFallsBackToPlainWhenNot() throws Exception {
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.STARTTLS), new Secrets(Map.of(), null), new Properties());

            assertThat(channel.send(page("alice@example.com")).delivered()).isTrue();
        }

        @Test
        void messagesShareOneConnection_untilItIdledTooLong() throws Exception {
            try (Relay relay = new Relay(smtp.getSmtp().getPort())) {
                EmailChannel channel = channel(relay.settings(), new Secrets(Map.of(), null), new Properties());

                for (int i = 0; i < 3; i++) {
                    assertThat(channel.send(page("alice@example.com")).delivered()).isTrue();
                    nanoTime.addAndGet(EmailChannel.MAX_IDLE.toNanos() - 1);
                }
                assertThat(relay.connections()).isEqualTo(1);

                nanoTime.addAndGet(EmailChannel.MAX_IDLE.toNanos());
                assertThat(channel.send(page("alice@example.com")).delivered()).isTrue();
                assertThat(relay.connections()).isEqualTo(2);
                assertThat(smtp.getReceivedMessages()).hasSize(4);
            }
        }

        @Test
        void aConnectionTheServerClosedIsReplaced_withoutARetryOrAWait() throws Exception {
            try (Relay relay = new Relay(smtp.getSmtp().getPort())) {
                EmailChannel channel = channel(relay.settings(), new Secrets(Map.of(), null), new Properties());
                assertThat(channel.send(page("alice@example.com")).delivered()).isTrue();

                relay.dropConnections();
                Result result = channel.send(page("bob@example.com"));

                assertThat(result.delivered()).as(result.error()).isTrue();
                assertThat(result.attempts()).isEqualTo(1);
                assertThat(sleeps).isEmpty();
                assertThat(relay.connections()).isEqualTo(2);
                assertThat(smtp.getReceivedMessages()).hasSize(2);
            }
        }

        @Test
        void aRotatedPasswordOpensANewConnection() throws Exception {
            try (Relay relay = new Relay(smtp.getSmtp().getPort())) {
                Secrets secrets = secrets(PASSWORD);
                EmailChannel channel = channel(new EmailChannel.SmtpSettings("127.0.0.1", relay.port(), "alerts", "smtp-password",
                        "alerts@example.com", EmailChannel.Tls.NONE, TIMEOUT), secrets, new Properties());
                assertThat(channel.send(page("alice@example.com")).delivered()).isTrue();

                secrets(PASSWORD + "-rotated");
                Result result = channel.send(page("alice@example.com"));

                // GreenMail still knows the old password only: the new one is tried, on a new connection.
                assertThat(result.error()).contains("AuthenticationFailedException");
                assertThat(relay.connections()).isEqualTo(2);
            }
        }

        @Test
        void theEndpointIsTheServer() {
            EmailChannel channel = channel(settings(null, EmailChannel.Tls.NONE), new Secrets(Map.of(), null), new Properties());

            assertThat(channel.endpoint(page("alice@example.com"))).isEqualTo("smtp:127.0.0.1:" + smtp.getSmtp().getPort());
        }
    }

    @Nested
    class Smtps {

        @RegisterExtension
        final GreenMailExtension smtps = new GreenMailExtension(ServerSetupTest.SMTPS.dynamicPort());

        private EmailChannel.SmtpSettings settings() {
            return new EmailChannel.SmtpSettings("127.0.0.1", smtps.getSmtps().getPort(), null, null, "alerts@example.com",
                    EmailChannel.Tls.SMTPS, TIMEOUT);
        }

        @Test
        void aMessageIsDeliveredOverTls() throws Exception {
            Properties trustTheTestCertificate = new Properties();
            trustTheTestCertificate.setProperty("mail.smtps.ssl.trust", "*");
            trustTheTestCertificate.setProperty("mail.smtps.ssl.checkserveridentity", "false");
            EmailChannel channel = channel(settings(), new Secrets(Map.of(), null), trustTheTestCertificate);

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).as(result.error()).isTrue();
            assertThat(smtps.getReceivedMessages()).hasSize(1);
            assertThat(smtps.getReceivedMessages()[0].getMessageID()).isEqualTo(result.providerMessageId());
        }

        @Test
        void anUntrustedCertificateIsNotRetried() throws Exception {
            EmailChannel channel = channel(settings(), new Secrets(Map.of(), null), new Properties());

            Result result = channel.send(page("alice@example.com"));

            assertThat(result.delivered()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.error()).contains("not retried");
            assertThat(smtps.getReceivedMessages()).isEmpty();
        }
    }

    /** A TCP relay to the SMTP server that counts the connections made through it and can drop them all. */
    private static final class Relay implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();

        Relay(int targetPort) throws IOException {
            Thread accepting = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                        connections.incrementAndGet();
                        sockets.addAll(List.of(client, target));
                        pipe(client, target);
                        pipe(target, client);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "smtp-relay");
            accepting.setDaemon(true);
            accepting.start();
        }

        private static void pipe(Socket from, Socket to) {
            Thread thread = new Thread(() -> {
                try (from; to) {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException e) {
                    // One side closed: both are closed by leaving this block.
                }
            }, "smtp-relay-pipe");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        EmailChannel.SmtpSettings settings() {
            return new EmailChannel.SmtpSettings("127.0.0.1", port(), null, null, "alerts@example.com", EmailChannel.Tls.NONE, TIMEOUT);
        }

        int connections() {
            return connections.get();
        }

        void dropConnections() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            dropConnections();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedUpToMaxAttempts() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        EmailChannel channel = channel(new EmailChannel.SmtpSettings("127.0.0.1", closedPort, null, null, "alerts@example.com",
                EmailChannel.Tls.NONE, TIMEOUT), new Secrets(Map.of(), null), new Properties());

        Result result = channel.send(page("alice@example.com"));

        assertThat(result.delivered()).isFalse();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.error()).contains("gave up after 3 attempts");
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void smtpRepliesDecide_4xxIsRetried_5xxIsNot() throws Exception {
        InternetAddress bob = new InternetAddress("bob@example.com");
        SMTPAddressFailedException greylisted = new SMTPAddressFailedException(bob, "RCPT TO:<bob@example.com>", 450, "450 try later");
        SMTPAddressFailedException unknown = new SMTPAddressFailedException(bob, "RCPT TO:<bob@example.com>", 550, "550 no such user");

        assertThat(EmailChannel.isTransient(greylisted)).isTrue();
        assertThat(EmailChannel.isTransient(unknown)).isFalse();
        assertThat(EmailChannel.isTransient(new SendFailedException("Invalid Addresses", greylisted))).isTrue();
        assertThat(EmailChannel.isTransient(new SendFailedException("Invalid Addresses", unknown))).isFalse();
        assertThat(EmailChannel.isTransient(new SMTPSendFailedException("DATA", 451, "451 local error", null, null, null, null))).isTrue();
        assertThat(EmailChannel.isTransient(new SMTPSendFailedException("DATA", 554, "554 rejected as spam", null, null, null, null))).isFalse();
        assertThat(EmailChannel.isTransient(new MessagingException("Exception reading response", new SocketTimeoutException("Read timed out"))))
                .isTrue();
        assertThat(EmailChannel.isTransient(new AuthenticationFailedException("535 5.7.8 Authentication credentials invalid"))).isFalse();
        assertThat(EmailChannel.isTransient(new MessagingException("STARTTLS is required but host does not support STARTTLS"))).isFalse();
    }

    @Test
    void messageIdsAreValidAndDistinctIdsStayDistinct() {
        assertThat(EmailChannel.messageId("evt-1:user/alice:email:0")).isEqualTo("<evt-1%3Auser%2Falice%3Aemail%3A0@incident-engine>");
        assertThat(EmailChannel.messageId("a:b")).isNotEqualTo(EmailChannel.messageId("a/b")).isNotEqualTo(EmailChannel.messageId("a%3Ab"));
        assertThat(EmailChannel.messageId("ü <x>")).matches("<[A-Za-z0-9%_+=-]+@incident-engine>");
    }

    @Test
    void badSettingsFailAtStart() {
        assertThatThrownBy(() -> new EmailChannel.SmtpSettings("smtp.example.com", 587, null, null, "not an address",
                EmailChannel.Tls.STARTTLS_REQUIRED, TIMEOUT)).hasMessageContaining("from address");
        assertThatThrownBy(() -> new EmailChannel.SmtpSettings("smtp.example.com", 587, null, "pw", "a@example.com",
                EmailChannel.Tls.STARTTLS_REQUIRED, TIMEOUT)).hasMessageContaining("without a username");
    }
}
