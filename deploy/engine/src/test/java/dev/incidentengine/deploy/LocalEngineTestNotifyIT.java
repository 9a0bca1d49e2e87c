package dev.incidentengine.deploy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.cli.Incidentctl;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.TopicContents;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code incidentctl test-notify} on the local engine with the example config: every contact and channel of deploy/local is
 * delivered (e-mail, webhooks, SMS, calls and Slack into the local sinks), and a channel added on a dead port fails, shown in
 * the table and the verdict, with exit 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalEngineTestNotifyIT {

    private static final String ADMIN = "demo-admin-token-change-me";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private LocalEngine engine;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    void start() throws Exception {
        engine = EngineCalls.localEngine(dataDir, Path.of("../local"));
        engine.start();
    }

    @AfterAll
    void stop() {
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void everyExampleContactAndChannelIsDelivered_andADeadChannelFailsTheRun() throws Exception {
        Run all = incidentctl("test-notify", "--all");

        assertThat(all.exit()).as(all.out() + all.err()).isZero();
        Matcher verdict = Pattern.compile("Alerting system setup successful: (\\d+) of (\\d+) channels delivered").matcher(all.out());
        assertThat(verdict.find()).as(all.out()).isTrue();
        assertThat(verdict.group(1)).isEqualTo(verdict.group(2));
        assertThat(all.out()).contains("user carol", "sms", "voice", "slack", "channel payments-room", "channel stakeholders",
                "a…@example.com").doesNotContain("failed", "timed out", "/hooks/");
        await("every kind of contact in the sinks").atMost(Duration.ofSeconds(10)).until(() -> engine.sinks().received().stream()
                .map(LocalSinks.Received::via).distinct().toList().containsAll(List.of("e-mail", "webhook", "sms", "voice")));
        assertThat(engine.sinks().slack().calls("chat.postMessage")).as("Slack messages in the local Slack-shaped server")
                .anySatisfy(call -> assertThat(call.args().get("channel")).startsWith("U"));

        int dead = TopicContents.freePort();
        RecordSerdes serdes = RecordSerdes.singleObject();
        try (KafkaProducer<String, ChannelConfig> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, engine.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
                Topics.CONFIG_CHANNELS.keySerde(serdes).serializer(), Topics.CONFIG_CHANNELS.valueSerde(serdes).serializer())) {
            producer.send(new ProducerRecord<>(Topics.CONFIG_CHANNELS.name(), "dead-hook", new ChannelConfig("dead-hook", "Dead hook",
                    ChannelType.WEBHOOK, "http://127.0.0.1:" + dead + "/hook", null, List.of(), List.of(), List.of()))).get();
        }
        // An unknown channel is refused (exit 3) before it counts against the rate limit, so waiting for the config costs none.
        await("the notifier knows the channel").atMost(Duration.ofSeconds(30))
                .until(() -> incidentctl("test-notify", "--channel", "dead-hook", "--run-id", "dead-hook-probe", "--timeout", "1s").exit() != 3);
        Run failed = incidentctl("test-notify", "--channel", "dead-hook", "--run-id", "dead-hook-probe");

        assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failed.out()).containsPattern("channel dead-hook\\s+webhook\\s+http://127\\.0\\.0\\.1:" + dead + "/…\\s+failed\\s+\\S")
                .contains("Alerting system setup FAILED: 0 of 1 channels delivered; failed: channel dead-hook webhook");

        Run json = incidentctl("test-notify", "--channel", "payments-room", "-o", "json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode report = JSON.readTree(json.out());
        assertThat(report.get("delivered").asInt()).isEqualTo(1);
        assertThat(report.get("targets").get(0).get("result").asText()).isEqualTo("delivered");
        assertThat(report.get("targets").get(0).get("latencyMillis").asLong()).isNotNegative();
    }

    private Run incidentctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = new String[args.length + 4];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--url";
        full[args.length + 1] = engine.httpUrl();
        full[args.length + 2] = "--token";
        full[args.length + 3] = ADMIN;
        int exit = Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), full);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
