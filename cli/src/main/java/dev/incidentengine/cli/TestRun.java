package dev.incidentengine.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A test-notify run judged: each target with its delivery's result, and the verdict. Pure, for the command and its tests. */
final class TestRun {

    /** Exit code when no delivery failed but some result did not come in time. */
    static final int TIMED_OUT = 7;

    private TestRun() {
    }

    /** Whether every target of the run (the POST's answer) has a result in {@code results} (the GET's answer). */
    static boolean complete(JsonNode run, JsonNode results) {
        Map<String, JsonNode> byDelivery = byDelivery(results);
        for (JsonNode target : run.path("targets")) {
            if (!byDelivery.containsKey(target.path("deliveryId").asText())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The run's targets, each with {@code result} (delivered, failed or timed out), {@code reason}, {@code attempts} and
     * {@code latencyMillis}; the counts, the verdict line and the exit code.
     */
    static ObjectNode report(JsonNode run, JsonNode results) {
        Map<String, JsonNode> byDelivery = byDelivery(results);
        ObjectNode report = ApiClient.JSON.createObjectNode();
        report.put("runId", run.path("runId").asText());
        report.put("requestedBy", run.path("requestedBy").asText());
        ArrayNode targets = report.putArray("targets");
        List<String> failed = new ArrayList<>();
        List<String> timedOut = new ArrayList<>();
        for (JsonNode target : run.path("targets")) {
            ObjectNode row = targets.addObject();
            row.setAll((ObjectNode) target.deepCopy());
            JsonNode result = byDelivery.get(target.path("deliveryId").asText());
            String name = target.path("kind").asText() + " " + target.path("id").asText() + " " + target.path("channel").asText();
            if (result == null) {
                row.put("result", "timed out");
                row.put("reason", "no result in time (the notifier may still deliver it)");
                row.putNull("attempts");
                row.putNull("latencyMillis");
                timedOut.add(name);
                continue;
            }
            boolean delivered = result.path("outcome").asText().equals("DELIVERED");
            row.put("result", delivered ? "delivered" : "failed");
            row.set("reason", result.path("error").isTextual() ? result.get("error") : ApiClient.JSON.nullNode());
            row.set("attempts", result.path("attempts"));
            row.set("latencyMillis", result.path("latencyMillis"));
            if (!delivered) {
                failed.add(name);
            }
        }
        int total = targets.size();
        int delivered = total - failed.size() - timedOut.size();
        report.put("total", total);
        report.put("delivered", delivered);
        report.put("failed", failed.size());
        report.put("timedOut", timedOut.size());
        report.put("verdict", verdict(total, delivered, failed, timedOut));
        report.put("exitCode", !failed.isEmpty() ? CliError.FAILED : !timedOut.isEmpty() ? TIMED_OUT : 0);
        return report;
    }

    static String verdict(int total, int delivered, List<String> failed, List<String> timedOut) {
        if (failed.isEmpty() && timedOut.isEmpty()) {
            return "Alerting system setup successful: " + delivered + " of " + total + " channels delivered";
        }
        StringBuilder verdict = new StringBuilder("Alerting system setup FAILED: ").append(delivered).append(" of ").append(total)
                .append(" channels delivered");
        if (!failed.isEmpty()) {
            verdict.append("; failed: ").append(String.join(", ", failed));
        }
        if (!timedOut.isEmpty()) {
            verdict.append("; timed out: ").append(String.join(", ", timedOut));
        }
        return verdict.toString();
    }

    private static Map<String, JsonNode> byDelivery(JsonNode results) {
        Map<String, JsonNode> byDelivery = new HashMap<>();
        results.path("results").forEach(result -> byDelivery.put(result.path("deliveryId").asText(), result));
        return byDelivery;
    }
}
