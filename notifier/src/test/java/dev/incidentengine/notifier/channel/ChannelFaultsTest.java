package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.delivery.HttpDelivery;

import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The fault matrix, the same for every channel: what is retried, what is not, and that no error gives a secret away. */
class ChannelFaultsTest {

    /** How to build a channel against a base URL, the message it sends there, and the answer meaning success. */
    interface Factory {
        Channel create(String baseUrl, HttpDelivery delivery, Secrets secrets, Duration timeout);
    }

    record Target(String name, String secret, String ok, Factory channel, Function<String, Message> message) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final URI PAGERDUTY = URI.create("https://events.pagerduty.com/v2/enqueue");

    static Stream<Target> targets() {
        return Stream.of(
                new Target("webhook", "webhook-signing", "{}",
                        (base, delivery, secrets, timeout) -> new WebhookChannel(delivery, secrets, timeout, "webhook-signing"),
                        base -> message(base + "/hook", null)),
                new Target("slack-webhook", null, "ok",
                        (base, delivery, secrets, timeout) -> new SlackWebhookChannel(delivery, timeout),
                        base -> message(base + "/services/T000/B000/XXXX", null)),
                new Target("slack", "slack-bot-token", "{\"ok\":true,\"channel\":\"C0INCIDENTS\",\"ts\":\"1.2\"}",
                        (base, delivery, secrets, timeout) -> new SlackChannel(delivery, secrets, timeout, URI.create(base + "/api"), "slack-bot-token"),
                        base -> message("C0INCIDENTS", null)),
                new Target("teams", null, "1",
                        (base, delivery, secrets, timeout) -> new TeamsChannel(delivery, timeout),
                        base -> message(base + "/webhookb2/abc", null)),
                new Target("sms", "twilio-auth", "{\"sid\":\"SM1\"}",
                        (base, delivery, secrets, timeout) -> phone(PhoneChannel.Mode.SMS, base, delivery, secrets, timeout),
                        base -> message("+15550199999", null)),
                new Target("voice", "twilio-auth", "{\"sid\":\"CA1\"}",
                        (base, delivery, secrets, timeout) -> phone(PhoneChannel.Mode.VOICE, base, delivery, secrets, timeout),
                        base -> message("+15550199999", null)),
                new Target("pagerduty", "pd-routing-key", "{\"status\":\"success\",\"dedup_key\":\"INC-42\"}",
                        (base, delivery, secrets, timeout) -> new PagerDutyChannel(delivery, secrets, timeout, PAGERDUTY),
                        base -> message(base + "/v2/enqueue", "pd-routing-key")));
    }

    static Stream<Target> targetsWithSecrets() {
        return targets().filter(target -> target.secret() != null);
    }

    static Stream<Arguments> invalidAddresses() {
        Set<String> urlAddressed = Set.of("webhook", "slack-webhook", "teams", "pagerduty");
        return targets().filter(target -> urlAddressed.contains(target.name())).flatMap(target -> Stream.of(
                Arguments.of(target, "not a url"), Arguments.of(target, "ftp://files.example"), Arguments.of(target, "https://")));
    }

    private final List<Duration> waits = new ArrayList<>();
    private LocalHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aServerErrorIsRetried_untilDelivered(Target target) throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, target.ok())).then(Answer.of(500, "upstream failed"));

        Result result = send(target, server.baseUrl(), SECRETS, TIMEOUT);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.error()).isNull();
        assertThat(server.requests()).hasSize(2);
        assertThat(waits).containsExactly(Duration.ofMillis(5));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void a429IsRetriedAfterItsRetryAfter(Target target) throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, target.ok())).then(Answer.of(429, "slow down").header("Retry-After", "1"));

        Result result = send(target, server.baseUrl(), SECRETS, TIMEOUT);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(waits).as("Retry-After, capped by the policy").containsExactly(Duration.ofMillis(50));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void invalidCredentialsAreNotRetried(Target target) throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, target.ok())).then(Answer.of(401, "invalid_token"), Answer.of(403, "forbidden"));

        Result unauthorized = send(target, server.baseUrl(), SECRETS, TIMEOUT);
        Result forbidden = send(target, server.baseUrl(), SECRETS, TIMEOUT);

        assertFailed(unauthorized, 1, "HTTP 401: invalid_token (not retried)");
        assertFailed(forbidden, 1, "HTTP 403: forbidden (not retried)");
        assertThat(waits).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aRefusedConnectionIsRetried_thenReported(Target target) throws Exception {
        Result result = send(target, LocalHttpServer.closedBaseUrl(), SECRETS, TIMEOUT);

        assertFailed(result, 3, "ConnectException", "gave up after 3 attempts");
        assertThat(waits).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aSlowEndpointTimesOut_isRetried_thenReported(Target target) throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, target.ok()).hanging());

        Result result = send(target, server.baseUrl(), SECRETS, Duration.ofMillis(100));

        assertFailed(result, 3, "HttpTimeoutException", "gave up after 3 attempts");
    }

    @ParameterizedTest
    @MethodSource("targetsWithSecrets")
    void aMissingSecretFailsAtOnce_namingItButNoValue(Target target) throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, target.ok()));

        Result result = send(target, server.baseUrl(), new Secrets(Map.of(), null), TIMEOUT);

        assertFailed(result, 1, "secret " + target.secret() + " is neither", "(not retried)");
        assertThat(server.requests()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidAddresses")
    void anAddressThatIsNotAnHttpUrlFailsAtOnce(Target target, String base) throws Exception {
        Channel channel = target.channel().create(base, delivery(waits), SECRETS, TIMEOUT);
        Message message = target.message().apply(base);

        assertFailed(channel.send(message), 1, "address is not an http(s) URL (not retried)");
        assertThat(channel.endpoint(message)).endsWith(":invalid-address");
    }

    @Test
    void theAddressIsNotRepeatedInTheError_forAWebhookUrlIsACredential() throws Exception {
        Result result = new SlackWebhookChannel(delivery(waits), TIMEOUT).send(message("https://hooks.example/services/s3cr3t path", null));

        assertFailed(result, 1, "address is not an http(s) URL");
        assertThat(result.error()).doesNotContain("s3cr3t");
    }

    @Test
    void aMisconfiguredChannelFailsAtStart() {
        assertThatIllegalArgumentException().isThrownBy(() -> new SlackChannel(delivery(waits), SECRETS, TIMEOUT, URI.create("ftp://slack.com/api"), "t"));
        assertThatIllegalArgumentException().isThrownBy(() -> new PhoneChannel(delivery(waits), SECRETS, TIMEOUT, PhoneChannel.Mode.SMS,
                URI.create("https://api.twilio.com"), "AC/../x", "twilio-auth", "+15550100000"));
    }

    private Result send(Target target, String baseUrl, Secrets secrets, Duration timeout) throws InterruptedException {
        return target.channel().create(baseUrl, delivery(waits), secrets, timeout).send(target.message().apply(baseUrl));
    }

    private static void assertFailed(Result result, int attempts, String... errorParts) {
        assertThat(result.delivered()).isFalse();
        assertThat(result.providerMessageId()).isNull();
        assertThat(result.attempts()).isEqualTo(attempts);
        assertThat(result.error()).contains(errorParts).doesNotContain(SECRET_VALUES.values());
    }

    private static PhoneChannel phone(PhoneChannel.Mode mode, String base, HttpDelivery delivery, Secrets secrets, Duration timeout) {
        return new PhoneChannel(delivery, secrets, timeout, mode, URI.create(base), "AC0123", "twilio-auth", "+15550100000");
    }
}
