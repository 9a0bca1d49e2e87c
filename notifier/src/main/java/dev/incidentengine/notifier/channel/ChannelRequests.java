package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;

/** What the HTTP channels share: checked addresses and secrets, JSON bodies, common headers, configuration errors as failed results. */
final class ChannelRequests {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One send whose request may be misconfigured. */
    interface Send {
        Result send() throws InterruptedException;
    }

    private ChannelRequests() {
    }

    /** Runs a send; a configuration error (a missing secret, a bad address) fails at once, as no retry can fix it. */
    static Result guarded(Send send) throws InterruptedException {
        long started = System.nanoTime();
        try {
            return send.send();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Result.failed(e.getMessage() + " (not retried)", Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** The address as an http(s) URI; the error does not repeat it, since webhook URLs carry credentials. */
    static URI httpUri(String address) {
        String link = Markup.httpLink(address);
        if (link == null) {
            throw new IllegalArgumentException("address is not an http(s) URL");
        }
        return URI.create(link);
    }

    /** Names an endpoint by host and port only: user info in the address is a credential. */
    static String endpoint(String prefix, String address) {
        try {
            URI uri = httpUri(address);
            return prefix + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return prefix + "invalid-address";
        }
    }

    /** A secret fit for a header; the JDK's own error for a bad header value would quote the value. */
    static String secret(Secrets secrets, String name) {
        String value = secrets.require(name);
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalStateException("secret " + name + " contains control characters");
        }
        return value;
    }

    static HttpRequest.Builder post(URI uri, Duration timeout, String deliveryId, String contentType, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("User-Agent", "incident-engine")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return deliveryId == null ? builder : builder.header("Idempotency-Key", deliveryId);
    }

    static HttpRequest.Builder postJson(URI uri, Duration timeout, String deliveryId, JsonNode body) {
        return post(uri, timeout, deliveryId, "application/json", bytes(body));
    }

    static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unwritable JSON body", e);
        }
    }

    /** The incident event for a body: JSON null when there is none. */
    static JsonNode event(String eventJson) {
        if (eventJson == null) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(eventJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("eventJson is not valid JSON");
        }
    }

    /** A receiver's answer; a missing node when it is not JSON. */
    static JsonNode answer(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** A text field of a receiver's JSON answer, or null. */
    static String field(String body, String name) {
        JsonNode value = answer(body).path(name);
        return value.isTextual() ? value.asText() : null;
    }

    /** At most {@code max} chars, ending in an ellipsis when cut, never halving a surrogate pair. */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
