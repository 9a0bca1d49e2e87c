package dev.incidentengine.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The engine's HTTP API: JSON in and out; every answer but 2xx becomes a {@link CliError} with the API's own message. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(String base, String token) {
        this.base = base.replaceAll("/+$", "");
        this.token = token;
    }

    JsonNode get(String path, Map<String, String> query) {
        return send(request(path, query).GET());
    }

    JsonNode post(String path, Map<String, String> query, Object body) {
        try {
            return send(request(path, query).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode put(String path, Map<String, String> query, Object body) {
        try {
            return send(request(path, query).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode delete(String path) {
        return send(request(path, Map.of()).DELETE());
    }

    /** A request of any method with a JSON body: PUT, or a DELETE that says why. */
    JsonNode send(String method, String path, Map<String, String> query, Object body) {
        try {
            return send(request(path, query).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path, Map<String, String> query) {
        String parameters = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        URI uri;
        try {
            uri = URI.create(base + path + (parameters.isEmpty() ? "" : "?" + parameters));
        } catch (IllegalArgumentException e) {
            throw new CliError(CliError.USAGE, "not a URL: " + base + path);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot connect to " + base + " (is the engine running? --url or INCIDENTCTL_URL)");
        } catch (HttpTimeoutException e) {
            throw new CliError(CliError.UNREACHABLE, "no answer from " + base + " in time");
        } catch (IOException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot talk to " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError(CliError.FAILED, "interrupted");
        }
        JsonNode body = parse(response.body());
        int status = response.statusCode();
        if (status / 100 == 2) {
            return body;
        }
        String message = body.path("error").asText("HTTP " + status) + (body.hasNonNull("field") ? " (" + body.get("field").asText() + ")" : "");
        throw switch (status) {
            case 401 -> new CliError(CliError.NOT_ALLOWED, (token == null ? "no API token (--token or INCIDENTCTL_TOKEN)" : "token refused")
                    + ": " + message);
            case 403 -> new CliError(CliError.NOT_ALLOWED, "not allowed: " + message);
            case 404 -> new CliError(CliError.NOT_FOUND, message);
            case 400, 409, 413, 422 -> new CliError(CliError.REFUSED, message);
            case 503 -> new CliError(CliError.UNREACHABLE, message);
            default -> new CliError(CliError.FAILED, "HTTP " + status + ": " + message);
        };
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode().put("error", body.strip());
        }
    }

    /** Query parameters in order, nulls left out when sent. */
    static Map<String, String> query(String... pairs) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            query.put(pairs[i], pairs[i + 1]);
        }
        return query;
    }
}
