package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.channel.LocalHttpServer.Request;

import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

class PhoneChannelTest {

    private static final String SID = "AC0123456789abcdef";
    private static final String FROM = "+15550100000";
    private static final String TO = "+15550199999";

    private LocalHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(201, "{\"sid\":\"SM0001\",\"status\":\"queued\"}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anSmsCarriesTitleAndText_withBasicAuthAndTheIdempotencyKey() throws Exception {
        Message message = message(TO, null);
        PhoneChannel channel = channel(PhoneChannel.Mode.SMS);

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.providerMessageId()).isEqualTo("SM0001");
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "sms:"));
        Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Messages.json");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.header("Idempotency-Key")).isEqualTo(message.deliveryId());
        assertThat(basicAuth(request)).isEqualTo(SID + ":" + SECRET_VALUES.get("twilio-auth"));
        assertThat(request.form()).isEqualTo(Map.of("To", TO, "From", FROM, "Body", message.title() + "\n" + message.text()));
    }

    @Test
    void aLongSmsIsCutTo1600Chars() throws Exception {
        Message m = message(TO, null);
        channel(PhoneChannel.Mode.SMS).send(new Message(m.deliveryId(), m.incidentId(), m.kind(), TO, null, m.title(), "y".repeat(5000), null,
                m.url(), m.severity(), m.status(), m.service(), m.eventJson(), null));

        assertThat(server.requests().get(0).form().get("Body")).hasSize(1600).startsWith(m.title() + "\nyyy").endsWith("…");
    }

    @Test
    void aCallSaysTitleAndTextTwice_xmlEscaped() throws Exception {
        Message m = message(TO, null);
        Message message = new Message(m.deliveryId(), m.incidentId(), MessageKind.PAGE, TO, null, "Orders & payments <down>", "Call \"ops\"",
                null, m.url(), m.severity(), m.status(), m.service(), m.eventJson(), null);
        PhoneChannel channel = channel(PhoneChannel.Mode.VOICE);

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "voice:"));
        Request request = server.requests().get(0);
        assertThat(request.path()).isEqualTo("/2010-04-01/Accounts/" + SID + "/Calls.json");
        assertThat(basicAuth(request)).isEqualTo(SID + ":" + SECRET_VALUES.get("twilio-auth"));
        String say = "<Say>Orders &amp; payments &lt;down&gt;. Call &quot;ops&quot;</Say>";
        assertThat(request.form()).isEqualTo(Map.of("To", TO, "From", FROM,
                "Twiml", "<Response>" + say + "<Pause length=\"1\"/>" + say + "</Response>"));
    }

    private PhoneChannel channel(PhoneChannel.Mode mode) {
        return new PhoneChannel(delivery(new ArrayList<>()), SECRETS, TIMEOUT, mode, URI.create(server.baseUrl()), SID, "twilio-auth", FROM);
    }

    private static String basicAuth(Request request) {
        String header = request.header("Authorization");
        assertThat(header).startsWith("Basic ");
        return new String(Base64.getDecoder().decode(header.substring("Basic ".length())), StandardCharsets.UTF_8);
    }
}
