package dev.incidentengine.service;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A container health check for images that have no shell and no curl:
 * {@code java -cp '/app/libs/*' dev.incidentengine.service.HealthCheck http://127.0.0.1:8081/readyz}
 * exits 0 iff the URL answers 2xx within 2 s; otherwise 1, with one line on stderr saying why.
 */
public final class HealthCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HealthCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, TIMEOUT, System.err));
    }

    static int run(String[] args, Duration timeout, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: HealthCheck URL (exit 0 iff the URL answers 2xx within " + timeout.toMillis() + " ms)");
            return 1;
        }
        URI uri;
        try {
            uri = URI.create(args[0]);
        } catch (IllegalArgumentException e) {
            err.println("unhealthy: not a URL: " + args[0]);
            return 1;
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            err.println("unhealthy: not an http(s) URL: " + uri);
            return 1;
        }
        try {
            // One deadline for connect, request and response together.
            int status = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .statusCode();
            if (status / 100 == 2) {
                return 0;
            }
            err.println("unhealthy: " + uri + " answered " + status);
            return 1;
        } catch (TimeoutException e) {
            err.println("unhealthy: " + uri + " did not answer within " + timeout.toMillis() + " ms");
            return 1;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            err.println("unhealthy: " + uri + ": " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("unhealthy: interrupted");
            return 1;
        }
    }
}
