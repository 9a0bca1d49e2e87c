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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * incident-stream in a JVM of its own ({@link IncidentStreamProcess}, this JVM's class path), so
 * the memory and CPU that /proc reports for that process are the engine's alone. Resident memory
 * is sampled every 500 ms; the peak is kept for the whole run and since the last {@link #resetPeak()}.
 */
final class EngineProcess implements AutoCloseable {

    private static final Duration SAMPLE_EVERY = Duration.ofMillis(500);

    private final Process process;
    private final OutputStream lifeline;
    private final String baseUrl;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "engine-rss-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong peakRssKb = new AtomicLong();
    private final AtomicLong phasePeakRssKb = new AtomicLong();

    private EngineProcess(Process process, String baseUrl, Path log) {
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.baseUrl = baseUrl;
        this.log = log;
        sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts the engine with these JVM options and settings (a properties file in {@code dir}); output to {@code dir/engine.log}. */
    static EngineProcess start(Path dir, List<String> jvmOptions, Map<String, String> settings, int httpPort) throws IOException {
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.putAll(settings);
        properties.setProperty("http.port", Integer.toString(httpPort));
        Path config = dir.resolve("incident-stream.properties");
        try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            properties.store(out, "incident-stream under benchmark");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IncidentStreamProcess.class.getName());
        command.add("--config");
        command.add(config.toString());
        Path log = dir.resolve("engine.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The settings above are the whole configuration: none from this shell's environment.
        builder.environment().keySet().removeIf(name -> name.startsWith("INCIDENT_") || name.startsWith("KAFKA_"));
        return new EngineProcess(builder.start(), "http://127.0.0.1:" + httpPort, log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("incident-stream exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // HTTP server not up yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("incident-stream not ready within " + timeout + "; see " + log);
            }
            Thread.sleep(200);
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
        return ProcStats.rssKb(process.pid());
    }

    long peakRssKb() {
        return peakRssKb.get();
    }

    long phasePeakRssKb() {
        return phasePeakRssKb.get();
    }

    void resetPeak() {
        phasePeakRssKb.set(rssKb());
    }

    private void sample() {
        long kb = rssKb();
        peakRssKb.accumulateAndGet(kb, Math::max);
        phasePeakRssKb.accumulateAndGet(kb, Math::max);
    }

    /** SIGTERM (the service closes its stream and leaves the group), SIGKILL after 30 seconds. */
    @Override
    public void close() {
        sampler.shutdownNow();
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
