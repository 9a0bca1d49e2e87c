package dev.incidentengine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.cli.Output.Column;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestRunTest {

    private static JsonNode json(String text) throws Exception {
        return ApiClient.JSON.readTree(text.replace('\'', '"'));
    }

    private static final String RUN = "{'runId':'r1','requestedBy':'carol','targets':["
            + "{'deliveryId':'test:r1:user:alice:email:0','kind':'user','id':'alice','channel':'email','type':'EMAIL','address':'a…@example.com'},"
            + "{'deliveryId':'test:r1:user:alice:sms:1','kind':'user','id':'alice','channel':'sms','type':'SMS','address':'+49…0001'},"
            + "{'deliveryId':'test:r1:channel:ops','kind':'channel','id':'ops','channel':'webhook','type':'WEBHOOK','address':'http://127.0.0.1:9/…'}]}";

    private static String result(String deliveryId, String outcome, String error) {
        return "{'deliveryId':'" + deliveryId + "','outcome':'" + outcome + "','error':" + (error == null ? "null" : "'" + error + "'")
                + ",'attempts':1,'latencyMillis':42}";
    }

    @Test
    void givenEveryResultDelivered_whenReported_thenTheSetupIsSuccessful_andTheExitIsZero() throws Exception {
        JsonNode results = json("{'results':[" + result("test:r1:user:alice:email:0", "DELIVERED", null) + ","
                + result("test:r1:user:alice:sms:1", "DELIVERED", null) + "," + result("test:r1:channel:ops", "DELIVERED", null) + "]}");

        ObjectNode report = TestRun.report(json(RUN), results);

        assertThat(TestRun.complete(json(RUN), results)).isTrue();
        assertThat(report.get("verdict").asText()).isEqualTo("Alerting system setup successful: 3 of 3 channels delivered");
        assertThat(report.get("exitCode").asInt()).isZero();
        assertThat(report.get("targets")).extracting(row -> row.get("result").asText()).containsOnly("delivered");
    }

    @Test
    void givenAFailureAndAMissingResult_whenReported_thenBothAreNamed_andAFailureWinsTheExitCode() throws Exception {
        JsonNode results = json("{'results':[" + result("test:r1:user:alice:email:0", "DELIVERED", null) + ","
                + result("test:r1:channel:ops", "FAILED", "connection refused") + "]}");

        ObjectNode report = TestRun.report(json(RUN), results);

        assertThat(TestRun.complete(json(RUN), results)).isFalse();
        assertThat(report.get("verdict").asText()).isEqualTo("Alerting system setup FAILED: 1 of 3 channels delivered; "
                + "failed: channel ops webhook; timed out: user alice sms");
        assertThat(report.get("exitCode").asInt()).isEqualTo(CliError.FAILED);
        assertThat(report.get("targets").get(2).get("reason").asText()).isEqualTo("connection refused");
        assertThat(report.get("targets").get(1).get("result").asText()).isEqualTo("timed out");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = Output.out;
        Output.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try {
            new Output(false).table(report.get("targets"), Column.field("VIA", "channel"), Column.field("RESULT", "result"),
                    Column.field("REASON", "reason"));
        } finally {
            Output.out = old;
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("webhook  failed     connection refused");
    }

    @Test
    void givenOnlyAMissingResult_whenReported_thenTheExitSaysTimedOut() throws Exception {
        JsonNode results = json("{'results':[" + result("test:r1:user:alice:email:0", "DELIVERED", null) + ","
                + result("test:r1:channel:ops", "DELIVERED", null) + "]}");

        ObjectNode report = TestRun.report(json(RUN), results);

        assertThat(report.get("exitCode").asInt()).isEqualTo(TestRun.TIMED_OUT);
        assertThat(report.get("verdict").asText()).isEqualTo("Alerting system setup FAILED: 2 of 3 channels delivered; timed out: user alice sms");
        assertThat(Periods.wait("1m30s", "--timeout").toSeconds()).isEqualTo(90);
    }
}
