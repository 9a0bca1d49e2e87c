package dev.incidentengine.notifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.incidentengine.model.SessionEvent;
import dev.incidentengine.model.SessionEventType;
import dev.incidentengine.notifier.channel.EmailChannel;
import dev.incidentengine.notifier.channel.Secrets;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.api.Sessions;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sign-in links asked for on the session log, signed and mailed by the notifier to a real SMTP server (GreenMail). */
@WithKafka
class SignInLinkMailerIT {

    @RegisterExtension
    final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path dir;

    private final KafkaTestCluster kafka;

    SignInLinkMailerIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @Test
    void aRequestedLinkIsMailedSigned_andOneThatExpiredIsNot() throws Exception {
        Topic<String, SessionEvent> topic = kafka.createTopic(Topics.CONSOLE_SESSIONS);
        Instant now = Instant.now();
        kafka.produce(topic, List.of(request("expired-nonce", "alice", "alice@example.com", now.minusSeconds(1), null),
                request("live-nonce", "bob", "bob@example.com", now.plus(Duration.ofMinutes(15)), "/incidents/INC-1")));
        Sessions sessions = Sessions.load(Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef").toString(),
                Duration.ZERO, Clock.systemUTC());
        EmailChannel email = new EmailChannel(new EmailChannel.SmtpSettings("127.0.0.1", smtp.getSmtp().getPort(), null, null,
                "incidents@example.com", EmailChannel.Tls.NONE, Duration.ofSeconds(5)), new Secrets(Map.of(), null),
                new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), () -> 1.0), duration -> Thread.sleep(duration.toMillis()));

        try (SignInLinkMailer mailer = new SignInLinkMailer(kafka.consumerProps("links-" + topic.name()), topic, kafka.serdes(), email,
                sessions, "https://incidents.example.com/", Clock.systemUTC())) {
            mailer.start();
            await("bob's link").atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= 1);
        }
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).as("nothing for the expired request").hasSize(1);
        assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("bob@example.com");
        assertThat(mails[0].getHeader("X-Incident-Id")).as("about no incident").isNull();
        Matcher link = Pattern.compile("https://incidents\\.example\\.com/signin/link\\?next=%2Fincidents%2FINC-1#(\\S+)")
                .matcher(mails[0].getContent().toString());
        assertThat(link.find()).as(mails[0].getContent().toString()).isTrue();
        assertThat(sessions.verifyLink(link.group(1))).hasValueSatisfying(verified -> {
            assertThat(verified.user()).isEqualTo("bob");
            assertThat(verified.nonce()).isEqualTo("live-nonce");
            assertThat(verified.fingerprint()).isEqualTo("0011223344556677");
        });
    }

    private static Map.Entry<String, SessionEvent> request(String nonce, String user, String address, Instant expiresAt, String next) {
        return Map.entry(nonce, SessionEvent.newBuilder().setType(SessionEventType.LINK_REQUESTED).setNonce(nonce).setUser(user)
                .setAt(Instant.now()).setExpiresAt(expiresAt).setFingerprint("0011223344556677").setAddress(address).setNext(next).build());
    }
}
