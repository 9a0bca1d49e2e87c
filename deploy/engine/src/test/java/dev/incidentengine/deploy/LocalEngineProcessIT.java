package dev.incidentengine.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.testkit.TopicContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local engine as users run it, in its own JVM: SIGTERM stops everything, broker included;
 * when the launcher is killed outright (SIGKILL), the broker notices and stops by itself.
 */
class LocalEngineProcessIT {

    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsEngineAndBroker() throws Exception {
        Process engine = launch();
        int httpPort = awaitUp(engine);
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(processesUsing(dataDir)).as("engine and broker").hasSizeGreaterThanOrEqualTo(2);

        engine.destroy();

        assertThat(engine.waitFor(60, TimeUnit.SECONDS)).as("engine exited").isTrue();
        await("no process left").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(processesUsing(dataDir)).isEmpty());
    }

    @Test
    void sigkillOfTheLauncherStillStopsTheBroker() throws Exception {
        Process engine = launch();
        awaitUp(engine);

        engine.destroyForcibly();

        await("broker stops by itself").atMost(Duration.ofSeconds(45))
                .untilAsserted(() -> assertThat(processesUsing(dataDir)).isEmpty());
    }

    private Process launch() throws IOException {
        Path target = Path.of("target");
        String classpath;
        try (var jars = Files.list(target)) {
            Path engineJar = jars.filter(p -> p.getFileName().toString().matches("local-engine-.*\\.jar")).findFirst().orElseThrow();
            classpath = engineJar.toAbsolutePath() + java.io.File.pathSeparator
                    + Files.readString(target.resolve("engine.classpath")).strip();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", classpath, LocalEngine.class.getName(),
                "--data-dir", dataDir.toString(),
                "--kafka-port", Integer.toString(TopicContents.freePort()),
                "--controller-port", Integer.toString(TopicContents.freePort()),
                "--http-port", Integer.toString(TopicContents.freePort()),
                "--sink-port", "0",
                "--smtp-port", "0",
                "--config-dir", Path.of("../local").toAbsolutePath().toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the engine's output until it says it is up; returns the HTTP port it printed. */
    private static int awaitUp(Process engine) throws Exception {
        CompletableFuture<Integer> up = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.strip().startsWith("HTTP") && line.contains("http://")) {
                        String url = line.substring(line.indexOf("http://")).split("\\s")[0];
                        up.complete(Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)));
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
            up.completeExceptionally(new AssertionError("engine ended before it was up:\n" + output));
        }, "engine-output");
        reader.setDaemon(true);
        reader.start();
        return up.get(90, TimeUnit.SECONDS);
    }

    private static List<ProcessHandle> processesUsing(Path dataDir) {
        String marker = dataDir.toString();
        return ProcessHandle.allProcesses()
                .filter(process -> KafkaBroker.commandLine(process).contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
