package dev.incidentengine.ticketing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.testkit.TopicContents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;

/**
 * A real Kafka Connect worker in distributed mode, in a JVM of its own ({@code ConnectDistributed}) on the class path Kafka
 * built it with (deploy/connect-worker's {@code kafka-connect.classpath}: no plugin on it), with the packaged plugin on its
 * {@code plugin.path} and the {@code file} and {@code env} config providers; REST on a free port. It can be killed with
 * SIGKILL and started again with the same group and storage topics, as a worker that crashed and came back. Its output goes
 * to {@code worker.log} in its directory.
 */
public final class ConnectWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectWorker.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLASSPATH_RESOURCE = "dev/incidentengine/deploy/connect/kafka-connect.classpath";

    private final Path dir;
    private final Path properties;
    private final int port;
    private final Map<String, String> environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    private ConnectWorker(Path dir, Path properties, int port, Map<String, String> environment) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
        this.environment = environment;
    }

    /**
     * A worker of its own group against the given brokers, not started yet. {@code pluginPath} holds the plugins' directories;
     * {@code environment} is added to the worker's (for {@code ${env:…}}).
     */
    public static ConnectWorker create(String bootstrapServers, Path dir, Path pluginPath, Map<String, String> environment) {
        int port = TopicContents.freePort();
        String group = "connect-" + UUID.randomUUID().toString().substring(0, 8);
        String config = String.join("\n",
                "bootstrap.servers=" + bootstrapServers,
                "group.id=" + group,
                "config.storage.topic=" + group + ".configs",
                "offset.storage.topic=" + group + ".offsets",
                "status.storage.topic=" + group + ".status",
                "config.storage.replication.factor=1",
                "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1",
                "offset.storage.partitions=1",
                "status.storage.partitions=1",
                "key.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "listeners=http://127.0.0.1:" + port,
                "rest.advertised.host.name=127.0.0.1",
                "rest.advertised.port=" + port,
                "plugin.path=" + pluginPath.toAbsolutePath(),
                "plugin.discovery=service_load",
                "config.providers=file,env",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                // Commit often: a kill then loses little, and tests wait less.
                "offset.flush.interval.ms=1000",
                "scheduled.rebalance.max.delay.ms=1000",
                "task.shutdown.graceful.timeout.ms=5000",
                "");
        try {
            Files.createDirectories(dir);
            Path properties = dir.resolve("worker.properties");
            Files.writeString(properties, config);
            Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                    "appender.stdout.type=Console",
                    "appender.stdout.name=STDOUT",
                    "appender.stdout.layout.type=PatternLayout",
                    "appender.stdout.layout.pattern=%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n",
                    "rootLogger.level=INFO",
                    "rootLogger.appenderRef.stdout.ref=STDOUT",
                    "logger.clients.name=org.apache.kafka.clients",
                    "logger.clients.level=WARN",
                    "logger.reflections.name=org.reflections",
                    "logger.reflections.level=ERROR",
                    ""));
            return new ConnectWorker(dir, properties, port, environment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", workerClasspath(),
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toAbsolutePath(),
                "org.apache.kafka.connect.cli.ConnectDistributed", properties.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Connect worker", e);
        }
        LOG.info("Connect worker started (pid {}), REST on {}, log in {}", process.pid(), url(), dir.resolve("worker.log"));
        await("the Connect worker's REST API at " + url()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("The Connect worker exited with " + process.exitValue() + ": see " + dir.resolve("worker.log"));
                    }
                    try {
                        return call("GET", "/connectors", null).statusCode() == 200;
                    } catch (UncheckedIOException notListeningYet) {
                        return false;
                    }
                });
        return this;
    }

    /** SIGKILL: no shutdown, no last commit, as a crashed machine. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Connect worker killed");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("worker.log");
    }

    /** Creates or updates the connector ({@code PUT /connectors/{name}/config}). */
    public void putConnector(String name, Map<String, String> config) {
        HttpResponse<String> response = call("PUT", "/connectors/" + name + "/config", config);
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException("PUT connector " + name + ": " + response.statusCode() + " " + response.body());
        }
    }

    public void deleteConnector(String name) {
        HttpResponse<String> response = call("DELETE", "/connectors/" + name, null);
        if (response.statusCode() != 204 && response.statusCode() != 404) {
            throw new IllegalStateException("DELETE connector " + name + ": " + response.statusCode() + " " + response.body());
        }
    }

    /** {@code GET /connectors/{name}/status}, or null while the worker does not know the connector. */
    public JsonNode status(String name) {
        HttpResponse<String> response = call("GET", "/connectors/" + name + "/status", null);
        return response.statusCode() == 200 ? json(response.body()) : null;
    }

    /** Waits until the connector and {@code tasks} tasks run. */
    public void awaitRunning(String name, int tasks) {
        await(name + " running with " + tasks + " task(s) on " + url()).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode status = status(name);
                    if (status == null) {
                        return false;
                    }
                    for (JsonNode task : status.path("tasks")) {
                        if ("FAILED".equals(task.path("state").asText())) {
                            throw new IllegalStateException("Task of " + name + " failed: " + task.path("trace").asText());
                        }
                    }
                    return "RUNNING".equals(status.path("connector").path("state").asText()) && status.path("tasks").size() == tasks
                            && java.util.stream.StreamSupport.stream(status.path("tasks").spliterator(), false)
                            .allMatch(task -> "RUNNING".equals(task.path("state").asText()));
                });
    }

    /** {@code PUT /connector-plugins/{class}/config/validate}: Connect's answer, every setting with its errors. */
    public JsonNode validate(String connectorClass, Map<String, String> config) {
        HttpResponse<String> response = call("PUT", "/connector-plugins/" + connectorClass + "/config/validate", config);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("validate: " + response.statusCode() + " " + response.body());
        }
        return json(response.body());
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

    private HttpResponse<String> call(String method, String path, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Accept", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on the Connect worker: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String workerClasspath() {
        try (InputStream in = ConnectWorker.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("No " + CLASSPATH_RESOURCE + " on the class path: build deploy/connect-worker (kafka-connect-runtime)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the worker as an operator would (SIGTERM) and waits for it. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
