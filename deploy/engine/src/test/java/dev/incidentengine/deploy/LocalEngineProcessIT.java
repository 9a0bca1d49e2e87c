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
 * when the launcher is killed outright (SIGKILL), the broker notices and stops by itself; Ctrl-C
 * in a terminal (SIGINT to the whole process group) stops the services, then the broker, quickly.
 */
class LocalEngineProcessIT {

    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsEngineAndBroker() throws Exception {
        Process engine = launch(dataDir, List.of());
        int httpPort = awaitUp(engine, new StringBuffer());
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(processesUsing(dataDir)).as("engine and broker").hasSizeGreaterThanOrEqualTo(2);

        engine.destroy();

        assertThat(engine.waitFor(60, TimeUnit.SECONDS)).as("engine exited").isTrue();
        await("no process left").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(processesUsing(dataDir)).isEmpty());
    }

    @Test
    void sigkillOfTheLauncherStillStopsTheBroker() throws Exception {
        Process engine = launch(dataDir, List.of());
        awaitUp(engine, new StringBuffer());

        engine.destroyForcibly();

        await("broker stops by itself").atMost(Duration.ofSeconds(45))
                .untilAsserted(() -> assertThat(processesUsing(dataDir)).isEmpty());
    }

    /**
     * Ctrl-C: the engine runs as a terminal's foreground job would, leading its own process group
     * with the broker in it, and the whole group gets SIGINT. Also: a healthy start says no WARN.
     */
    @Test
    void ctrlCStopsServicesThenBrokerWithinTwentySeconds_andAHealthyStartWarnsOfNothing() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ctrl-c-");
        // A terminal's foreground job has SIGINT's default action; a child of a background build may inherit it ignored.
        Process engine = launch(data, List.of("env", "--default-signal=INT", "setsid"));
        StringBuffer output = new StringBuffer();
        awaitUp(engine, output);
        assertThat(output.toString().lines().filter(line -> line.contains(" WARN "))).as("warnings at start").isEmpty();
        assertThat(processesUsing(data)).as("engine and broker").hasSizeGreaterThanOrEqualTo(2);

        long signalled = System.nanoTime();
        assertThat(new ProcessBuilder("kill", "-INT", "--", "-" + engine.pid()).start().waitFor()).isZero();

        await("no process left").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(processesUsing(data)).isEmpty());
        Duration stopped = Duration.ofNanos(System.nanoTime() - signalled);
        // Quick: inside Kubernetes' default 30 s grace period, with room for a machine whose two cores another test's
        // engine shares (10.2 s seen beside another engine).
        assertThat(stopped).as("time from Ctrl-C to the last process gone").isLessThan(Duration.ofSeconds(20));
        await("the engine's last words").atMost(Duration.ofSeconds(10)).until(() -> output.toString().contains("Kafka broker stopped"));
        String log = output.toString();
        assertThat(log).contains("Stopped alert-ingest");
        assertThat(log.indexOf("Stopped alert-ingest")).as("services stop before the broker").isLessThan(log.indexOf("Kafka broker stopped"));
        assertThat(log.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))).as("a clean stop").isEmpty();
    }

    private Process launch(Path dataDir, List<String> prefix) throws IOException {
        Path target = Path.of("target");
        String classpath;
        try (var jars = Files.list(target)) {
            Path engineJar = jars.filter(p -> p.getFileName().toString().matches("local-engine-.*\\.jar")).findFirst().orElseThrow();
            classpath = engineJar.toAbsolutePath() + java.io.File.pathSeparator
                    + Files.readString(target.resolve("engine.classpath")).strip();
        }
        // A temp directory of the engine's own: wherever the checkout lives (CI may clone under /tmp), the state
        // directory is then not under the JVM's temp directory, which Kafka Streams warns about.
        Path tmp = Files.createDirectories(dataDir.resolve("tmp"));
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Djava.io.tmpdir=" + tmp,
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
    private static int awaitUp(Process engine, StringBuffer output) throws Exception {
        CompletableFuture<Integer> up = new CompletableFuture<>();
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
