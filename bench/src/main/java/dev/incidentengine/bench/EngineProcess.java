package dev.incidentengine.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The engine in a JVM of its own (this JVM's class path): incident-stream alone
 * ({@link IncidentStreamProcess}) or the whole local engine ({@link LocalEngineProcess}), so the
 * memory and CPU that /proc reports for that process are the engine's alone. Resident memory
 * is sampled every 500 ms; the peak is kept for the whole run and since the last {@link #resetPeak()}.
 * The child exits when this JVM does ({@link #exitWhenLauncherGone()}).
 */
final class EngineProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final OutputStream lifeline;
    private final String baseUrl;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private final RssSampler rss;

    private EngineProcess(String name, Process process, String baseUrl, Path log) {
        this.name = name;
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.baseUrl = baseUrl;
        this.log = log;
        this.rss = new RssSampler(process.pid());
    }

    /** Starts incident-stream with these JVM options and settings (a properties file in {@code dir}); output to {@code dir/engine.log}. */
    static EngineProcess start(Path dir, List<String> jvmOptions, Map<String, String> settings, int httpPort) throws IOException {
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.putAll(settings);
        properties.setProperty("http.port", Integer.toString(httpPort));
        Path config = dir.resolve("incident-stream.properties");
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            properties.store(out, "incident-stream under benchmark");
        }
        return launch("incident-stream", dir, jvmOptions, IncidentStreamProcess.class, List.of("--config", config.toString()), httpPort);
    }

    /**
     * Starts the local engine ({@code ./incident-engine local}: all four services) with these JVM
     * options and arguments, its HTTP server on {@code httpPort}; output to {@code dir/engine.log}.
     */
    static EngineProcess startLocalEngine(Path dir, List<String> jvmOptions, List<String> arguments, int httpPort) throws IOException {
        Files.createDirectories(dir);
        List<String> withPort = new ArrayList<>(arguments);
        withPort.addAll(List.of("--http-port", Integer.toString(httpPort)));
        // The engine's own logging (service-kit's logback.xml), not test-support's, which is on this class path too.
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dlogback.configurationFile=logback.xml");
        return launch("the local engine", dir, options, LocalEngineProcess.class, withPort, httpPort);
    }

    private static EngineProcess launch(String name, Path dir, List<String> jvmOptions, Class<?> main, List<String> arguments, int httpPort)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(arguments);
        Path log = dir.resolve("engine.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The settings above are the whole configuration: none from this shell's environment.
        builder.environment().keySet().removeIf(variable -> variable.startsWith("INCIDENT_") || variable.startsWith("KAFKA_"));
        return new EngineProcess(name, builder.start(), "http://127.0.0.1:" + httpPort, log);
    }

    /** In the child: exits (with its shutdown hooks) when the launcher's stdin pipe closes, so a killed benchmark leaves no engine behind. */
    static void exitWhenLauncherGone() {
        Thread lifeline = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // The launcher writes nothing; end of stream means it is gone.
                }
            } catch (IOException e) {
                // Same as end of stream.
            }
            System.exit(0);
        }, "launcher-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
    }

    String baseUrl() {
        return baseUrl;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Returns as soon as /readyz answers 200 (asked every 50 ms). */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (readyStatus() != 200) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + "; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
            }
            Thread.sleep(50);
        }
    }

    /** What /readyz answers; 0 when nothing answers. */
    int readyStatus() throws InterruptedException {
        try {
            return get("/readyz").statusCode();
        } catch (IOException notUp) {
            return 0;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** How many lines of the engine's output contain {@code text}. */
    long logLines(String text) throws IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    /** The engine's /metrics (Prometheus text). */
    String metrics() throws IOException, InterruptedException {
        return get("/metrics").body();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    long rssKb() {
        return rss.rssKb();
    }

    long peakRssKb() {
        return rss.peakKb();
    }

    long phasePeakRssKb() {
        return rss.phasePeakKb();
    }

    void resetPeak() {
        rss.resetPeak();
    }

    /** SIGKILL, as a crash would: no shutdown hook runs, nothing in flight is flushed, committed or closed. */
    void kill() throws InterruptedException, IOException {
        rss.close();
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still running 30 s after SIGKILL");
        }
        lifeline.close();
    }

    /** SIGTERM (the service closes its stream and leaves the group), SIGKILL after 30 seconds. */
    @Override
    public void close() {
        rss.close();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            lifeline.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
