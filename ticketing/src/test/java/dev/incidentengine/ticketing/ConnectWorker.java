package dev.incidentengine.ticketing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.testkit.TopicContents;

/**
 * The tests' Connect worker: deploy/connect-worker's {@link dev.incidentengine.deploy.connect.ConnectWorker} (a distributed
 * worker in a JVM of its own, on the class path Kafka built it with, the packaged plugin on its {@code plugin.path}), with a
 * group and storage topics of its own, frequent offset commits, and unchecked errors. It can be killed with SIGKILL and
 * started again with the same group and topics, as a worker that crashed and came back.
 */
public final class ConnectWorker implements AutoCloseable {

    private final dev.incidentengine.deploy.connect.ConnectWorker worker;

    private ConnectWorker(dev.incidentengine.deploy.connect.ConnectWorker worker) {
        this.worker = worker;
    }

    /**
     * A worker of its own group against the given brokers, not started yet. {@code pluginPath} holds the plugins' directories;
     * {@code environment} is added to the worker's (for {@code ${env:…}}).
     */
    public static ConnectWorker create(String bootstrapServers, Path dir, Path pluginPath, Map<String, String> environment) {
        String group = "connect-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> settings = Map.ofEntries(
                Map.entry("group.id", group),
                Map.entry("config.storage.topic", group + ".configs"),
                Map.entry("offset.storage.topic", group + ".offsets"),
                Map.entry("status.storage.topic", group + ".status"),
                Map.entry("config.storage.replication.factor", "1"),
                Map.entry("offset.storage.replication.factor", "1"),
                Map.entry("status.storage.replication.factor", "1"),
                Map.entry("offset.storage.partitions", "1"),
                Map.entry("status.storage.partitions", "1"),
                // Commit often: a kill then loses little, and tests wait less.
                Map.entry("offset.flush.interval.ms", "1000"),
                Map.entry("scheduled.rebalance.max.delay.ms", "1000"),
                Map.entry("task.shutdown.graceful.timeout.ms", "5000"));
        return new ConnectWorker(new dev.incidentengine.deploy.connect.ConnectWorker(new dev.incidentengine.deploy.connect.ConnectWorker.Options(
                dir, bootstrapServers, "127.0.0.1", TopicContents.freePort(), pluginPath, settings, environment)));
    }

    /**
     * A plugin.path with the packaged plugin's directory (from the build: {@code ticketing.plugin.dir}) and, in it, the tests'
     * jar, whose {@code local} ticket system the plugin finds by ServiceLoader.
     */
    public static Path pluginPathWithTestSystems(Path dir) {
        Path plugin = Path.of(System.getProperty("ticketing.plugin.dir", "target/plugin/incident-engine-ticketing"));
        Path testsJar = Path.of(System.getProperty("ticketing.tests.jar", "missing"));
        if (!Files.isDirectory(plugin) || !Files.isRegularFile(testsJar)) {
            throw new IllegalStateException("Package first (./mvnw package): no plugin directory " + plugin + " or tests' jar " + testsJar);
        }
        Path target = dir.resolve("plugins").resolve("incident-engine-ticketing");
        try {
            Files.createDirectories(target);
            try (Stream<Path> jars = Files.list(plugin)) {
                for (Path jar : jars.toList()) {
                    Files.copy(jar, target.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.copy(testsJar, target.resolve("ticketing-local-system.jar"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve("plugins");
    }

    /** Starts the worker process and waits until its REST API answers. */
    public ConnectWorker start() {
        return unchecked(() -> {
            worker.start(Duration.ofSeconds(90));
            return this;
        });
    }

    /** SIGKILL: no shutdown, no last commit, as a crashed machine. */
    public void kill() {
        unchecked(() -> {
            worker.kill();
            return null;
        });
    }

    public String url() {
        return worker.restUrl();
    }

    public Path log() {
        return worker.logFile();
    }

    /** Creates or updates the connector ({@code PUT /connectors/{name}/config}). */
    public void putConnector(String name, Map<String, String> config) {
        unchecked(() -> worker.putConnector(name, config));
    }

    public void deleteConnector(String name) {
        unchecked(() -> {
            worker.deleteConnector(name);
            return null;
        });
    }

    /** {@code GET /connectors/{name}/status}, or null while the worker does not know the connector. */
    public JsonNode status(String name) {
        return unchecked(() -> worker.status(name));
    }

    /** Waits until the connector and {@code tasks} tasks run; fails at once when one of them failed. */
    public void awaitRunning(String name, int tasks) {
        unchecked(() -> {
            worker.awaitRunning(name, tasks, Duration.ofSeconds(90));
            return null;
        });
    }

    /** {@code PUT /connector-plugins/{class}/config/validate}: Connect's answer, every setting with its errors. */
    public JsonNode validate(String connectorClass, Map<String, String> config) {
        return unchecked(() -> worker.validate(connectorClass, config));
    }

    /** The error messages Connect's validation gives a setting (empty: none, or no such setting). */
    public static List<String> errors(JsonNode validation, String name) {
        List<String> errors = new ArrayList<>();
        for (JsonNode config : validation.path("configs")) {
            if (name.equals(config.path("value").path("name").asText())) {
                config.path("value").path("errors").forEach(error -> errors.add(error.asText()));
            }
        }
        return errors;
    }

    private interface Call<T> {
        T call() throws IOException, InterruptedException;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the worker as an operator would (SIGTERM) and waits for it. */
    @Override
    public void close() {
        worker.close();
    }
}
