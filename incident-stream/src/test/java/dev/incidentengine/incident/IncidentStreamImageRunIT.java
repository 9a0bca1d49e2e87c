package dev.incidentengine.incident;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.incidentengine.testkit.ContainerImage;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.ServiceImageContract;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;

/**
 * Runs the incident-stream image without a container engine, as a runtime would: its layers
 * extracted into a root that is mounted read-only (but for /tmp and the state directory), the
 * entrypoint run there with the image's env, working dir and user, in a mount namespace of its own
 * with /proc. It must get ready on a real broker (RocksDB's JNI library loads from /tmp, its stores
 * are written to the state directory), pass the HealthCheck run inside the image, and stop cleanly
 * on SIGTERM. Needs root (CI is); util-linux's {@code unshare} does the chroot and the uid change.
 */
@WithKafka
class IncidentStreamImageRunIT {

    private final Path work = Path.of("target", "image-run").toAbsolutePath();

    @Test
    void theImageRunsAsNonRootOnAReadOnlyRoot(KafkaTestCluster kafka) throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux") && !Boolean.getBoolean("jib.skip")
                && System.getProperty("jib.from.image") == null, "no image of our own base on this build");
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0,
                "running an image without a container engine needs root (chroot, mounts); CI runs as root");
        ContainerImage image = ContainerImage.open(Path.of("target/jib-image.tar"), work.resolve("tarball"));
        Path root = image.extractTo(work.resolve("root"));
        Files.createDirectories(root.resolve("proc"));
        Path tmp = writable(work.resolve("tmp"));
        Path state = writable(work.resolve("state"));
        kafka.createTopics(IncidentTopics.DEFAULT.all());
        int port = TopicContents.freePort();

        Map<String, String> env = image.env();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("INCIDENT_HTTP_PORT", Integer.toString(port));
        // What peers reach it at (a pod sets its IP); this root has no /etc/hosts naming the host, as runtimes write.
        env.put("INCIDENT_HTTP_ADVERTISED_HOST", "127.0.0.1");
        env.put("INCIDENT_APPLICATION_ID", IncidentTopology.APPLICATION_ID + "-image-" + UUID.randomUUID().toString().substring(0, 8));
        Path log = work.resolve("incident-stream.log");
        Process service = run(image, root, tmp, state, image.entrypoint(), env, log);
        try {
            HttpClient http = HttpClient.newHttpClient();
            await("incident-stream ready in the image").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .failFast("the service exited: " + tail(log), () -> !service.isAlive())
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            // The JVM is the process started (each step execs the next), running as the image's user.
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(service.pid()), "status")))
                    .contains("Uid:\t65532\t65532\t65532\t65532", "Gid:\t65532\t65532\t65532\t65532");
            assertThat(filesUnder(tmp)).anyMatch(name -> name.startsWith("librocksdbjni"));
            assertThat(filesUnder(state)).contains("CURRENT");

            List<String> healthCheck = List.of("java", "-cp", "/app/libs/*", "dev.incidentengine.service.HealthCheck");
            Path checkLog = work.resolve("healthcheck.log");
            Process healthy = run(image, root, tmp, state, concat(healthCheck, "http://127.0.0.1:" + port + "/readyz"), image.env(), checkLog);
            assertThat(healthy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(healthy.exitValue()).as(tail(checkLog)).isZero();
            Process unhealthy = run(image, root, tmp, state, concat(healthCheck, "http://127.0.0.1:" + port + "/nothing-here"), image.env(), checkLog);
            assertThat(unhealthy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(unhealthy.exitValue()).isEqualTo(1);
            assertThat(tail(checkLog)).contains("answered 404");

            service.destroy(); // SIGTERM
            assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(service.exitValue()).as("exit status (128 + SIGTERM)").isEqualTo(143);
            assertThat(Files.readString(log)).contains("Stopped incident-stream").doesNotContain("did not stop cleanly");
        } finally {
            service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts {@code command} in the image: a private mount namespace where the root is bind-mounted
     * read-only with /proc and the two writable volumes, then chroot, working dir and user from the
     * image config. Each step execs the next, so the returned process is the command's own.
     */
    private static Process run(ContainerImage image, Path root, Path tmp, Path state, List<String> command,
                               Map<String, String> env, Path log) throws IOException {
        JsonNode config = image.config().get("config");
        String[] user = config.get("User").asText().split(":");
        String script = "mount --bind \"$R\" \"$R\" && mount -o remount,bind,ro \"$R\" && mount -t proc proc \"$R/proc\""
                + " && mount --bind \"$TMP\" \"$R/tmp\" && mount --bind \"$STATE\" \"$R" + ServiceImageContract.STATE_DIR + "\""
                + " && exec unshare --root=\"$R\" --wd=\"$WD\" --setuid=" + user[0] + " --setgid=" + user[1] + " -- \"$@\"";
        List<String> args = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                "/bin/sh", "-c", script, "sh"));
        args.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile());
        // The image's environment only (its PATH finds java in the root; /usr/bin has mount and unshare on the host).
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put("R", root.toString());
        builder.environment().put("TMP", tmp.toString());
        builder.environment().put("STATE", state.toString());
        builder.environment().put("WD", config.get("WorkingDir").asText());
        return builder.start();
    }

    private static Path writable(Path dir) throws IOException {
        return Files.setPosixFilePermissions(ContainerImage.recreateDirectory(dir), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }

    private static List<String> concat(List<String> command, String arg) {
        List<String> all = new ArrayList<>(command);
        all.add(arg);
        return all;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
