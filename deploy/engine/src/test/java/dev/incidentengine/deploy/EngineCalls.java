package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.incidentengine.testkit.TopicContents;
import picocli.CommandLine;

/** What the local-engine tests do alike: set up an engine, call the API with a token, copy a config directory to change it. */
final class EngineCalls {

    private EngineCalls() {
    }

    /**
     * A local engine (not started) on free ports, with its data in {@code dataDir} and the configuration of
     * {@code configDir}; {@code more}: further options.
     */
    static LocalEngine localEngine(Path dataDir, Path configDir, String... more) {
        LocalEngine engine = new LocalEngine();
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                "--kafka-port", Integer.toString(TopicContents.freePort()), "--controller-port", Integer.toString(TopicContents.freePort()),
                "--http-port", "0", "--sink-port", "0", "--smtp-port", "0", "--config-dir", configDir.toString()));
        args.addAll(List.of(more));
        new CommandLine(engine).parseArgs(args.toArray(String[]::new));
        return engine;
    }

    /** {@code method url} with the bearer token (null: none) and a JSON body (null: none). */
    static HttpResponse<String> send(HttpClient http, String method, String url, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Copies the tree under {@code from} to {@code to}. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
