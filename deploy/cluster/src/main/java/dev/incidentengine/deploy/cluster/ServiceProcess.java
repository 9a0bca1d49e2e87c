package dev.incidentengine.deploy.cluster;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.service.EngineConfig;

/**
 * One instance of a service as its own process, started from its distribution
 * ({@code <module>/target/dist/<service>/bin/<service>}, which execs java, so the pid is the JVM's)
 * with settings by environment only ({@code INCIDENT_*}, {@code KAFKA_*}). Its port and state
 * directory stay the same across restarts, as a pod's would with a persistent volume.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ServiceKind kind;
    private final int index;
    private final Path dir;
    private final Launcher launcher;
    private final Map<String, String> settings;
    private final int port;
    private Process process;
    /** Stopped for good: a restart racing with the cluster's close must not leave a process behind. */
    private boolean stopped;

    ServiceProcess(ServiceKind kind, int index, Path dir, Launcher launcher, Map<String, String> settings, int port) {
        this.kind = kind;
        this.index = index;
        this.dir = dir;
        this.launcher = launcher;
        this.settings = new TreeMap<>(settings);
        this.settings.put(EngineConfig.HTTP_PORT_CONFIG, Integer.toString(port));
        this.settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        this.port = port;
    }

    public ServiceKind kind() {
        return kind;
    }

    public int index() {
        return index;
    }

    /** alert-ingest-1 and the like. */
    public String name() {
        return kind.distribution() + "-" + index;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return dir.resolve("service.log");
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Starts the process (on the same port and state directory as before, when restarted). */
    public synchronized void start() throws IOException {
        if (stopped) {
            throw new IllegalStateException(name() + " is stopped for good");
        }
        Files.createDirectories(dir.resolve("state"));
        Map<String, String> env = new TreeMap<>();
        settings.forEach((key, value) -> env.put(environmentVariable(key), value));
        process = launcher.start(kind, env, log());
        Files.writeString(dir.resolve("pid"), Long.toString(process.pid()));
    }

    /** {@code kafka.bootstrap.servers} → {@code KAFKA_BOOTSTRAP_SERVERS}, {@code http.port} → {@code INCIDENT_HTTP_PORT} (service-kit's ConfigSources reverses it). */
    static String environmentVariable(String key) {
        String name = key.startsWith(EngineConfig.KAFKA_PREFIX) ? "KAFKA_" + key.substring(EngineConfig.KAFKA_PREFIX.length()) : "INCIDENT_" + key;
        return name.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Returns once /readyz answers 200. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (readyStatus() != 200) {
            Process running;
            synchronized (this) {
                running = process;
            }
            if (running == null || !running.isAlive()) {
                throw new IllegalStateException(name() + " exited" + (running == null ? "" : " with code " + running.exitValue())
                        + "; see " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name() + " not ready within " + timeout + "; see " + log());
            }
            Thread.sleep(200);
        }
    }

    /** What /readyz answers; 0 when nothing answers. */
    public int readyStatus() throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/readyz")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notUp) {
            return 0;
        }
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash would: no shutdown hook, nothing in flight committed or closed. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name() + " (pid " + process.pid() + ") still running 30 s after SIGKILL");
        }
        process = null;
    }

    /** How many lines of the output contain {@code text}. */
    public long logLines(String text) throws IOException {
        try (var lines = Files.lines(log(), StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    /** SIGTERM (the service leaves its groups), SIGKILL after {@code grace}; it is not started again. */
    public synchronized void stop(Duration grace) throws InterruptedException {
        stopped = true;
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(15));
    }

    /** How a service's process is started: its distribution, or this JVM's class path until that is built. */
    public record Launcher(Path root, List<String> jvmOptions) {

        Process start(ServiceKind kind, Map<String, String> env, Path log) throws IOException {
            List<String> command = new ArrayList<>();
            Path script = distribution(kind);
            if (Files.isExecutable(script)) {
                command.add(script.toString());
            } else {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmOptions);
                // The services' own logging (service-kit's logback.xml), not a test's that may be on this class path.
                command.add("-Dlogback.configurationFile=logback.xml");
                command.add("-cp");
                // A benchmark's class path may hold slf4j-nop too, which would win over logback and silence the service.
                command.add(String.join(File.pathSeparator, Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(entry -> !entry.contains("slf4j-nop")).toList()));
                command.add(kind.mainClass());
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // The settings given are the whole configuration: none from this shell's environment.
            builder.environment().keySet().removeIf(variable -> variable.startsWith("INCIDENT_") || variable.startsWith("KAFKA_"));
            builder.environment().putAll(env);
            builder.environment().put("JAVA_OPTS", String.join(" ", jvmOptions));
            return builder.start();
        }

        /** The service's start script in its unpacked distribution. */
        public Path distribution(ServiceKind kind) {
            return root.resolve(kind.module()).resolve("target/dist").resolve(kind.distribution()).resolve("bin").resolve(kind.distribution());
        }

        /** Whether every service runs from its distribution (else from this JVM's class path). */
        public boolean distributions() {
            for (ServiceKind kind : ServiceKind.values()) {
                if (!Files.isExecutable(distribution(kind))) {
                    return false;
                }
            }
            return true;
        }
    }
}
