package dev.incidentengine.deploy.connect;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A distributed Kafka Connect worker in its own JVM, from the Maven artifacts of this module (its class path is a resource
 * written at build time), for the local engine, the integration tests and the benchmarks. Plugins come from
 * {@code plugin.path}, isolated as in production; credentials in connector configs go through the {@code file} and
 * {@code env} config providers. The worker dies with its launcher (the stdin lifeline of {@link ConnectMain}).
 *
 * <p>Its REST API is wrapped for what callers need: put a connector's config, validate one, read its status and wait for
 * it to run. {@link #kill()} is SIGKILL, for tests that prove nothing is lost or doubled; {@link #close()} is SIGTERM.
 */
public final class ConnectWorker implements AutoCloseable {

    /**
     * How to run it. {@code settings} go into the worker's config over the defaults (any worker setting: {@code group.id},
     * the three storage topics, {@code producer.*} and {@code consumer.*} client settings, TLS and SASL); {@code environment}
     * is added to the process's, for connector configs' {@code ${env:…}}.
     */
    public record Options(Path home, String bootstrapServers, String host, int restPort, Path pluginPath, Map<String, String> settings,
                          Map<String, String> environment) {

        public Options(Path home, String bootstrapServers, String host, int restPort, Path pluginPath, Map<String, String> settings) {
            this(home, bootstrapServers, host, restPort, pluginPath, settings, Map.of());
        }
    }

    private static final String CLASSPATH_RESOURCE = "/dev/incidentengine/deploy/connect/kafka-connect.classpath";
    private static final List<String> JVM_OPTIONS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private OutputStream lifeline;

    public ConnectWorker(Options options) {
        this.options = options;
    }

    public String restUrl() {
        return "http://" + options.host() + ":" + options.restPort();
    }

    public Path logFile() {
        return options.home().resolve("logs/connect.log");
    }

    /** The worker's process id; -1 when it does not run. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Whether the process runs (it may still be starting, or have been killed). */
    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the worker and waits until its REST API answers and its plugins are loaded. */
    public synchronized void start(Duration timeout) throws IOException, InterruptedException {
        Path home = options.home().toAbsolutePath();
        Files.createDirectories(home.resolve("logs"));
        Files.writeString(home.resolve("connect.properties"), properties());
        Files.writeString(home.resolve("log4j2.properties"), LOG_CONFIG);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dkafka.logs.dir=" + home.resolve("logs"));
        command.add("-Dlog4j2.configurationFile=" + home.resolve("log4j2.properties"));
        command.add("-cp");
        command.add(classpath());
        command.add(ConnectMain.class.getName());
        command.add(home.resolve("connect.properties").toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                // Never an undrained pipe: the worker would block once the buffer fills.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("logs/connect.out").toFile()));
        builder.environment().putAll(options.environment());
        process = builder.start();
        lifeline = process.getOutputStream();
        awaitReady(timeout);
    }

    private String properties() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", options.bootstrapServers());
        settings.put("group.id", "incident-engine-connect");
        settings.put("config.storage.topic", "connect.configs.v1");
        settings.put("offset.storage.topic", "connect.offsets.v1");
        settings.put("status.storage.topic", "connect.status.v1");
        // -1: the broker's default replication factor, so the same config fits one broker and three.
        settings.put("config.storage.replication.factor", "-1");
        settings.put("offset.storage.replication.factor", "-1");
        settings.put("status.storage.replication.factor", "-1");
        settings.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        settings.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        settings.put("listeners", "http://" + options.host() + ":" + options.restPort());
        settings.put("rest.advertised.host.name", options.host());
        settings.put("rest.advertised.port", Integer.toString(options.restPort()));
        settings.put("plugin.path", options.pluginPath().toAbsolutePath().toString());
        // The plugin registers its connectors for the service loader: no scan of every jar at each start.
        settings.put("plugin.discovery", "service_load");
        // A worker that died gives its tasks to the others (or to itself, restarted) after this, not after Connect's 5 minutes.
        settings.put("scheduled.rebalance.max.delay.ms", "10000");
        // A sink task's consumer that died leaves its group after this, not the consumer's 45 s: its partitions move sooner.
        settings.put("consumer.session.timeout.ms", "10000");
        settings.put("config.providers", "file,env");
        settings.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        settings.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        settings.putAll(options.settings());
        return settings.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static String classpath() throws IOException {
        try (InputStream in = ConnectWorker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IOException("Missing " + CLASSPATH_RESOURCE + ": build with ./mvnw install -DskipTests");
            }
            Path self = Path.of(ConnectMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self + File.pathSeparator + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Connect worker exited with code " + process.exitValue() + "; see " + logFile());
            }
            try {
                HttpResponse<String> plugins = get("/connector-plugins");
                if (plugins.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("Connect worker not ready within " + timeout + "; see " + logFile());
            }
            Thread.sleep(200);
        }
    }

    /** Creates or updates a connector: {@code PUT /connectors/{name}/config}. */
    public JsonNode putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        return answer("PUT /connectors/" + name + "/config", send("PUT", "/connectors/" + encode(name) + "/config", config), 200, 201);
    }

    public void deleteConnector(String name) throws IOException, InterruptedException {
        answer("DELETE /connectors/" + name, send("DELETE", "/connectors/" + encode(name), null), 204, 404);
    }

    /** {@code PUT /connector-plugins/{class}/config/validate}: each setting with the errors Connect found in it. */
    public JsonNode validate(String connectorClass, Map<String, String> config) throws IOException, InterruptedException {
        return answer("validate", send("PUT", "/connector-plugins/" + encode(connectorClass) + "/config/validate", config), 200);
    }

    /** {@code GET /connectors/{name}/status}, or null while the worker does not know it. */
    public JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/connectors/" + encode(name) + "/status");
        return response.statusCode() == 404 ? null : answer("status", response, 200);
    }

    /** Waits until the connector and {@code tasks} tasks run; fails at once when one of them failed. */
    public void awaitRunning(String name, int tasks, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = status(name);
            if (status != null) {
                List<JsonNode> states = new ArrayList<>();
                states.add(status.path("connector"));
                status.path("tasks").forEach(states::add);
                for (JsonNode state : states) {
                    if ("FAILED".equals(state.path("state").asText())) {
                        throw new IllegalStateException("connector " + name + " failed: " + state.path("trace").asText());
                    }
                }
                if (status.path("tasks").size() == tasks && states.stream().allMatch(state -> "RUNNING".equals(state.path("state").asText()))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("connector " + name + " not running with " + tasks + " task(s) within " + timeout + ": "
                        + status);
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode answer(String what, HttpResponse<String> response, int... expected) throws IOException {
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            }
        }
        throw new IOException(what + ": HTTP " + response.statusCode() + " " + response.body());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** SIGKILL: the worker stops mid-work, as when its machine dies. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            closeLifeline();
            process = null;
        }
    }

    /** SIGTERM (Connect stops its tasks and commits their offsets), SIGKILL after 60 seconds. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        try {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        closeLifeline();
        process = null;
    }

    private void closeLifeline() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // The process is gone; so is the pipe.
        }
    }

    private static final String LOG_CONFIG = String.join("\n",
            "status = warn",
            "appender.file.type = RollingFile",
            "appender.file.name = FILE",
            "appender.file.fileName = ${sys:kafka.logs.dir}/connect.log",
            "appender.file.filePattern = ${sys:kafka.logs.dir}/connect.log.%i",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = [%d] %p %X{connector.context}%m (%c)%n",
            "appender.file.policies.type = Policies",
            "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
            "appender.file.policies.size.size = 20MB",
            "appender.file.strategy.type = DefaultRolloverStrategy",
            "appender.file.strategy.max = 3",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = FILE",
            "logger.reflections.name = org.reflections",
            "logger.reflections.level = ERROR",
            "");
}
