package dev.incidentengine.incident.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.Sessions;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Asks the instance that holds an incident, over its own HTTP API, as the caller: the request
 * goes with the caller's credentials (a token, a session, or Slack's signature; and {@code Idempotency-Key}, {@code Content-Type}),
 * marked {@value #FORWARDED} so the other instance answers from what it holds instead of
 * forwarding again, and its answer comes back as it is.
 */
final class Forwarder {

    /** Set on a forwarded request, to the instance it came from. */
    static final String FORWARDED = "X-Incident-Forwarded-By";
    /** The caller's credentials (a token, or a console session's cookie and CSRF token) and what the command needs. */
    private static final List<String> PASSED_ON = List.of("Authorization", "Cookie", Sessions.CSRF_HEADER, "Idempotency-Key", "Content-Type",
            SlackApp.SIGNATURE, SlackApp.TIMESTAMP);
    private static final List<String> PASSED_BACK = List.of("Content-Type", "Location", "Retry-After");

    private final HttpClient http;
    private final String self;
    private final Duration timeout;

    Forwarder(HttpClient http, HostInfo self, Duration timeout) {
        this.http = http;
        this.self = self.host() + ":" + self.port();
        this.timeout = timeout;
    }

    static boolean forwarded(Request request) {
        return request.getHeaders().get(FORWARDED) != null;
    }

    /** Sends the request (with {@code body}) to {@code host} and answers with its response; 503 when it cannot be reached. */
    void forward(HostInfo host, Request request, byte[] body, Response response, Callback callback) {
        HttpRequest.Builder forwarded = HttpRequest.newBuilder(uri(host, request.getHttpURI().getPathQuery()))
                .timeout(timeout)
                .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header(FORWARDED, self);
        for (String name : PASSED_ON) {
            String value = request.getHeaders().get(name);
            if (value != null) {
                forwarded.header(name, value);
            }
        }
        http.sendAsync(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((answer, failure) -> {
            if (failure != null) {
                unreachable(host, failure).write(response, callback);
                return;
            }
            response.setStatus(answer.statusCode());
            for (String name : PASSED_BACK) {
                answer.headers().firstValue(name).ifPresent(value -> response.getHeaders().put(name, value));
            }
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
        });
    }

    /** A GET on another instance as this request's caller, marked forwarded. */
    CompletableFuture<HttpResponse<String>> get(HostInfo host, String pathQuery, Request caller) {
        HttpRequest.Builder get = HttpRequest.newBuilder(uri(host, pathQuery)).timeout(timeout).GET().header(FORWARDED, self);
        for (String name : List.of("Authorization", "Cookie")) {
            String value = caller.getHeaders().get(name);
            if (value != null) {
                get.header(name, value);
            }
        }
        return http.sendAsync(get.build(), HttpResponse.BodyHandlers.ofString());
    }

    static ApiError unreachable(HostInfo host, Throwable failure) {
        return new ApiError(503, null, "the instance holding this data (" + host.host() + ":" + host.port() + ") did not answer ("
                + failure.getClass().getSimpleName() + "); retry in a moment");
    }

    private static URI uri(HostInfo host, String pathQuery) {
        return URI.create("http://" + host.host() + ":" + host.port() + pathQuery);
    }
}
