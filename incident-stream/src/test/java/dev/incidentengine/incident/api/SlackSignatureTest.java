package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import dev.incidentengine.incident.api.SlackSignature.Verdict;
import dev.incidentengine.testkit.TestClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Slack's v0 request signature: the documented example, forgery, the five-minute window, replays. */
class SlackSignatureTest {

    private static final byte[] SECRET = "8f742231b10e8888abcd99yyyzzz85a5".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.ofEpochSecond(1_531_420_618);
    private final TestClock clock = new TestClock(NOW);
    private final SlackSignature signature = new SlackSignature(SECRET, clock);

    /** Slack's own worked example (https://docs.slack.dev/authentication/verifying-requests-from-slack). */
    @Test
    void slacksDocumentedExampleIsValid() {
        byte[] body = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
                + "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
                + "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d"
                + "10d2c447fce8b6703c").getBytes(StandardCharsets.UTF_8);

        assertThat(signature.verify("1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", body))
                .isEqualTo(Verdict.VALID);
    }

    @Test
    void aForgedSignature_orAnAlteredBody_orAnotherSecret_isRefused() {
        byte[] body = "payload=%7B%7D".getBytes(StandardCharsets.UTF_8);
        String good = "v0=" + SlackSignature.sign(SECRET, "1531420618", body);

        assertThat(signature.verify("1531420618", good, "payload=%7B%22x%22%7D".getBytes(StandardCharsets.UTF_8))).isEqualTo(Verdict.FORGED);
        assertThat(signature.verify("1531420617", good, body)).as("another timestamp").isEqualTo(Verdict.FORGED);
        assertThat(signature.verify("1531420618", "v0=" + SlackSignature.sign("another-secret-of-32-bytes-000000".getBytes(StandardCharsets.UTF_8),
                "1531420618", body), body)).isEqualTo(Verdict.FORGED);
        assertThat(signature.verify("1531420618", good.toUpperCase(), body)).isEqualTo(Verdict.MISSING);
        assertThat(signature.verify("1531420618", "v0=" + "0".repeat(64), body)).isEqualTo(Verdict.FORGED);
        assertThat(signature.verify("1531420618", good, body)).as("the genuine one still passes").isEqualTo(Verdict.VALID);
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        byte[] body = "a=b".getBytes(StandardCharsets.UTF_8);
        String good = "v0=" + SlackSignature.sign(SECRET, "1531420618", body);

        assertThat(signature.verify(null, good, body)).isEqualTo(Verdict.MISSING);
        assertThat(signature.verify("1531420618", null, body)).isEqualTo(Verdict.MISSING);
        assertThat(signature.verify("1531420618.5", good, body)).isEqualTo(Verdict.MISSING);
        assertThat(signature.verify("-1", good, body)).isEqualTo(Verdict.MISSING);
        assertThat(signature.verify("1531420618", good.replace("v0=", "v1="), body)).isEqualTo(Verdict.MISSING);
    }

    @Test
    void aTimestampMoreThanFiveMinutesAwayIsStale_evenWhenSignedWell() {
        byte[] body = "a=b".getBytes(StandardCharsets.UTF_8);
        String old = Long.toString(NOW.minus(Duration.ofMinutes(5)).minusSeconds(1).getEpochSecond());
        String future = Long.toString(NOW.plus(Duration.ofMinutes(5)).plusSeconds(1).getEpochSecond());
        String edge = Long.toString(NOW.minus(Duration.ofMinutes(5)).getEpochSecond());

        assertThat(signature.verify(old, "v0=" + SlackSignature.sign(SECRET, old, body), body)).isEqualTo(Verdict.STALE);
        assertThat(signature.verify(future, "v0=" + SlackSignature.sign(SECRET, future, body), body)).isEqualTo(Verdict.STALE);
        assertThat(signature.verify(edge, "v0=" + SlackSignature.sign(SECRET, edge, body), body)).isEqualTo(Verdict.VALID);
    }

    @Test
    void aReplayWithinTheWindowIsRefused_andAfterItIsStale() {
        byte[] body = "a=b".getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(NOW.getEpochSecond());
        String signed = "v0=" + SlackSignature.sign(SECRET, ts, body);

        assertThat(signature.verify(ts, signed, body)).isEqualTo(Verdict.VALID);
        assertThat(signature.verify(ts, signed, body)).isEqualTo(Verdict.REPLAYED);
        clock.set(NOW.plus(Duration.ofMinutes(4)));
        assertThat(signature.verify(ts, signed, body)).isEqualTo(Verdict.REPLAYED);
        clock.set(NOW.plus(Duration.ofMinutes(6)));
        assertThat(signature.verify(ts, signed, body)).isEqualTo(Verdict.STALE);
        String later = Long.toString(clock.instant().getEpochSecond());
        assertThat(signature.verify(later, "v0=" + SlackSignature.sign(SECRET, later, body), body)).as("a new request").isEqualTo(Verdict.VALID);
    }
}
