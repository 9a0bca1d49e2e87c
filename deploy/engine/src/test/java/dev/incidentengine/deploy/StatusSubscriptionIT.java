package dev.incidentengine.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.notifier.NotifierTopics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.status.subscriptions.Subscriptions;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.MimeMessage;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An e-mail subscription from the form to the inbox, through the real broker, the status page's subscription endpoints, the
 * notifier and an SMTP server (GreenMail): subscribe, the confirmation mail, confirm, an update arrives once, one-click
 * unsubscribe, the next update sends nothing.
 */
@WithKafka
class StatusSubscriptionIT {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-status";
    private static final Pattern LINK = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/status/subscriptions/confirm\\?id=[A-Za-z0-9_-]+&token=[A-Za-z0-9_%-]+)");

    private final KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private final GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    @TempDir
    Path dir;
    private ServiceRunner runner;

    StatusSubscriptionIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        mail.stop();
    }

    @Test
    void subscribeConfirmReceiveOnceUnsubscribeInOneClick_thenNothing() throws Exception {
        mail.start();
        NotifierTopics d = NotifierTopics.DEFAULT;
        NotifierTopics topics = new NotifierTopics(kafka.createTopic(d.events()), kafka.createTopic(d.requests()),
                kafka.createTopic(d.deliveries()), kafka.createTopic(d.results()), kafka.createTopic(d.users()),
                kafka.createTopic(d.services()), kafka.createTopic(d.channels()), kafka.createTopic(d.deadLetters()),
                kafka.createTopic(d.statusPage()), kafka.createTopic(d.subscribers()),
                kafka.createTopic(d.commands()), kafka.createTopic(d.teams()), kafka.createTopic(d.roles()));
        Path secret = Files.writeString(dir.resolve("status-secret"), SECRET);
        int port = TopicContents.freePort();
        String base = "http://127.0.0.1:" + port;
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + topics.events().name());
        settings.put(NotifierConfig.SMTP_HOST_CONFIG, "127.0.0.1");
        settings.put(NotifierConfig.SMTP_PORT_CONFIG, Integer.toString(mail.getSmtp().getPort()));
        settings.put(NotifierConfig.SMTP_TLS_CONFIG, "NONE");
        settings.put(NotifierConfig.STATUS_URL_CONFIG, base);
        settings.put(NotifierConfig.STATUS_SECRET_FILE_CONFIG, secret.toString());
        Subscriptions subscriptions = new Subscriptions(new Subscriptions.Settings("public", 100, 10, false, false),
                SubscriberSeal.load(secret.toString()), ApiTokens.NONE, kafka.producerProps(), kafka.consumerProps("unused"),
                topics.subscribers(), kafka.serdes(), Clock.systemUTC(), System::nanoTime);
        runner = new ServiceRunner("127.0.0.1", port, List.of(new NotifierService(new NotifierConfig(settings), topics),
                service(subscriptions))).start();
        await("running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        kafka.produce(topics.statusPage(), List.of(Map.entry("public", new StatusPageEvent("cfg", "public", 1L, Instant.now(),
                new Actor(ActorType.SYSTEM, "config", null), null, new PageConfigured("Example Status", null, "UTC", List.of())))));
        // Subscriptions are mailed from a punctuation that may run before the page's config is read; a page not yet
        // configured is called "Status". Subscribe once the notifier has committed the config as processed.
        await("the page's config processed").atMost(Duration.ofSeconds(60)).until(() -> committed("notifier-" + topics.events().name(), topics.statusPage().name()) >= 1);

        assertThat(post(base + "/status/subscriptions", "application/json", "{\"email\":\"reader@example.com\",\"components\":[\"api\"]}")
                .statusCode()).isEqualTo(202);
        assertThat(post(base + "/status/subscriptions", "application/x-www-form-urlencoded", "email=witness%40example.com")
                .statusCode()).isEqualTo(202);
        await("both confirmation mails").atMost(Duration.ofSeconds(60)).until(() -> mail.getReceivedMessages().length == 2);
        for (String reader : List.of("reader@example.com", "witness@example.com")) {
            MimeMessage confirmation = only(reader);
            assertThat(confirmation.getSubject()).isEqualTo("Confirm your subscription to Example Status");
            assertThat(confirmation.getHeader("List-Unsubscribe")).as("nobody is subscribed yet").isNull();
            Matcher link = LINK.matcher(GreenMailUtil.getBody(confirmation).replace("=\r\n", "").replace("=3D", "="));
            assertThat(link.find()).as(GreenMailUtil.getBody(confirmation)).isTrue();
            HttpResponse<String> confirmed = http.send(HttpRequest.newBuilder(URI.create(link.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(confirmed.statusCode()).isEqualTo(200);
        }
        await("both confirmed on Kafka").atMost(Duration.ofSeconds(30)).until(() -> TopicContents.readToEnd(kafka.bootstrapServers(),
                topics.subscribers(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .filter(record -> record.value() != null && record.value().getConfirmed()).count() == 2);

        kafka.produce(topics.statusPage(), List.of(Map.entry("public", update(2, "p2", "Checkout <b>errors</b>", "investigating"))));
        await("the update, to both").atMost(Duration.ofSeconds(60)).until(() -> mail.getReceivedMessages().length == 4);
        MimeMessage update = mail.getReceivedMessagesForDomain("reader@example.com")[1];
        assertThat(update.getSubject()).isEqualTo("[Example Status] Checkout <b>errors</b>: Investigating");
        String body = GreenMailUtil.getBody(update);
        // Plain text as written; in HTML, escaped.
        assertThat(body).contains("Checkout <b>errors</b>", "<h1>Checkout &lt;b&gt;errors&lt;/b&gt;</h1>").doesNotContain("<h1>Checkout <b>");
        String unsubscribe = update.getHeader("List-Unsubscribe")[0];
        assertThat(unsubscribe).startsWith("<" + base + "/status/subscriptions/unsubscribe?id=").endsWith(">");
        assertThat(update.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");

        // What a mail client does for a one-click unsubscribe (RFC 8058).
        HttpResponse<String> gone = post(unsubscribe.substring(1, unsubscribe.length() - 1), "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click");
        assertThat(gone.statusCode()).isEqualTo(200);
        await("the tombstone on Kafka").atMost(Duration.ofSeconds(30)).until(() -> TopicContents.readToEnd(kafka.bootstrapServers(),
                topics.subscribers(), kafka.serdes(), Duration.ofSeconds(10)).stream().anyMatch(record -> record.value() == null));

        kafka.produce(topics.statusPage(), List.of(Map.entry("public", update(3, "p3", "Checkout errors", "resolved"))));
        await("the next update, to the witness").atMost(Duration.ofSeconds(60))
                .until(() -> mail.getReceivedMessagesForDomain("witness@example.com").length == 3);
        await("nothing more for the reader").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> mail.getReceivedMessagesForDomain("reader@example.com").length == 2);
        assertThat(mail.getReceivedMessages()).hasSize(5);
        assertThat(Arrays.stream(mail.getReceivedMessages()).map(message -> {
            try {
                return message.getMessageID();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).distinct()).hasSize(5);
    }

    private MimeMessage only(String address) {
        MimeMessage[] messages = mail.getReceivedMessagesForDomain(address);
        assertThat(messages).hasSize(1);
        return messages[0];
    }

    private static StatusPageEvent update(long sequence, String eventId, String title, String status) {
        Instant now = Instant.now();
        return new StatusPageEvent(eventId, "public", sequence, now, new Actor(ActorType.USER, "alice", null), null,
                new PublicIncidentChanged("INC-7", title, PublicImpact.MINOR, PublicIncidentStatus.valueOf(status.toUpperCase()),
                        List.of("api"), now.minusSeconds(60), null, new PublicUpdate("u-" + eventId, status, "Looking into it.", now, List.of())));
    }

    private HttpResponse<String> post(String url, String type, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the status-page service does with its subscriptions. */
    private long committed(String group, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private static Service service(Subscriptions subscriptions) {
        return new Service() {
            @Override
            public String name() {
                return "status-subscriptions";
            }

            @Override
            public void routes(HttpServer server, MeterRegistry metrics) {
                subscriptions.routes(server);
            }

            @Override
            public void start(MeterRegistry metrics) {
                subscriptions.start();
            }

            @Override
            public Optional<String> problem() {
                return subscriptions.problem();
            }

            @Override
            public void close() {
                subscriptions.close();
            }
        };
    }
}
