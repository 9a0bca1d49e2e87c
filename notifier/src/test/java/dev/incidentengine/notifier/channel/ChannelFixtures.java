package dev.incidentengine.notifier.channel;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.RetryPolicy;

/** Secrets, messages and a fast delivery shared by the channel tests. */
final class ChannelFixtures {

    static final Map<String, String> SECRET_VALUES = Map.of(
            "webhook-signing", "whsec-4f1c9a77",
            "slack-bot-token", "xoxb-1111-2222-bot",
            "slack-other-token", "xoxb-3333-4444-other",
            "twilio-auth", "twilio-auth-9d8c7b",
            "pd-routing-key", "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y00");
    static final Secrets SECRETS = new Secrets(SECRET_VALUES.entrySet().stream()
            .collect(Collectors.toMap(secret -> Secrets.variable(secret.getKey()), Map.Entry::getValue)), null);
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(50), () -> 1.0);
    static final String EVENT_JSON = "{\"type\":\"IncidentOpened\",\"incidentId\":\"INC-42\",\"at\":\"2026-11-22T14:00:00Z\"}";

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ChannelFixtures() {
    }

    /** A delivery with {@link #FAST} retries that records its waits instead of sleeping. */
    static HttpDelivery delivery(List<Duration> waits) {
        return new HttpDelivery(CLIENT, FAST, waits::add);
    }

    static Message message(String address, String secret) {
        return message(MessageKind.OPENED, "TRIGGERED", address, secret, null);
    }

    static Message message(MessageKind kind, String status, String address, String secret, String previousMessageId) {
        return new Message("evt-7:user-3:" + kind.id() + ":0", "INC-42", kind, address, secret, "Checkout latency above SLO",
                "p99 is *2.4 s* (SLO 800 ms) since 14:00 UTC", null, "https://incidents.example/INC-42", "SEV1", status, "checkout",
                EVENT_JSON, previousMessageId);
    }
}
