package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The local sinks' stand-in for Twilio answers as the providers document, and keep what they took. */
class LocalSinksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalSinks sinks;

    @BeforeEach
    void start() throws Exception {
        sinks = LocalSinks.start("127.0.0.1", 0, 0, null);
    }

    @AfterEach
    void stop() {
        sinks.close();
    }

    @Test
    void givenTwilioRequests_whenValid_thenQueuedWithASid_elseTwilioErrors() throws Exception {
        String messages = LocalSinks.PHONE + "/2010-04-01/Accounts/AClocal/Messages.json";
        String basic = "Basic " + Base64.getEncoder().encodeToString("AClocal:token".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> sent = post(messages, basic, "application/x-www-form-urlencoded", "To=%2B4915100000001&From=%2B15005550006&Body=Hello%0Athere");
        assertThat(sent.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(sent.body()).get("sid").asText()).startsWith("SM");
        assertThat(JSON.readTree(sent.body()).get("status").asText()).isEqualTo("queued");
        HttpResponse<String> call = post(LocalSinks.PHONE + "/2010-04-01/Accounts/AClocal/Calls.json", basic, "application/x-www-form-urlencoded",
                "To=%2B4915100000001&From=%2B15005550006&Twiml=%3CResponse%3E%3CSay%3EHi%3C%2FSay%3E%3C%2FResponse%3E");
        assertThat(JSON.readTree(call.body()).get("sid").asText()).startsWith("CA");

        assertError(post(messages, null, "application/x-www-form-urlencoded", "To=%2B4915100000001&Body=x"), 401, 20003);
        assertError(post(messages, "Basic " + Base64.getEncoder().encodeToString("ACother:token".getBytes(StandardCharsets.UTF_8)),
                "application/x-www-form-urlencoded", "To=%2B4915100000001&Body=x"), 401, 20003);
        assertError(post(messages, basic, "application/x-www-form-urlencoded", "To=0151&Body=x"), 400, 21211);
        assertError(post(messages, basic, "application/x-www-form-urlencoded", "To=%2B4915100000001"), 400, 21602);

        assertThat(sinks.received()).extracting(LocalSinks.Received::via, LocalSinks.Received::to, LocalSinks.Received::subject)
                .containsExactly(tuple("sms", "+4915100000001", "Hello"),
                        tuple("voice", "+4915100000001", "call"));
    }

    private HttpResponse<String> post(String path, String authorization, String type, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sinks.webhookUrl() + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> answer, int status, int code) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("code").asInt()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).isNotBlank();
    }
}
