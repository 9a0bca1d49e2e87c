package dev.incidentengine.deploy;

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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.status.StatusPageServiceConfig;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each service's distribution, as {@code ./mvnw package} left it in {@code <module>/target/dist/<service>/} (the modules
 * are built before this one), run as an operator runs it: {@code bin/<service>} as a process of its own against the
 * test broker, settings from the environment (one from {@code --config FILE}), until {@code /readyz} answers 200; then
 * SIGTERM, and a clean, quick exit. incidentctl's distribution asks the running incident-stream. The tarball unpacks to
 * the same tree.
 */
@WithKafka
class DistributionIT {

    /** The repository: this module is deploy/engine. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    private static final Path WORK = Path.of("target", "distribution-it").toAbsolutePath();
    private static final String TOKEN = "distribution-it-responder-token";
    /** C1 only and a small heap: five JVMs start at once on a small machine. */
    private static final String JAVA_OPTS = "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private record Dist(String module, String service, ConfigDef settings) {
        Path home() {
            return ROOT.resolve(module).resolve("target/dist").resolve(service);
        }
    }

    private static final List<Dist> SERVICES = List.of(
            new Dist("alert-ingest", "alert-ingest", AlertIngestConfig.CONFIG_DEF),
            new Dist("incident-stream", "incident-stream", IncidentStreamConfig.CONFIG_DEF),
            new Dist("escalation-stream", "escalation-stream", EscalationStreamConfig.CONFIG_DEF),
            new Dist("notifier", "notifier", NotifierConfig.CONFIG_DEF),
            new Dist("status-page", "status-page", StatusPageServiceConfig.CONFIG_DEF));
    private static final Dist INCIDENTCTL = new Dist("cli", "incidentctl", null);

    /** A started service: its process (the JVM itself, since the script execs it), port and log. */
    private record Running(Dist dist, Process process, int port, Path log) {
    }

    @Test
    void eachServiceRunsFromItsDistribution_incidentctlAsksIt_andSigtermStopsItCleanly(KafkaTestCluster kafka) throws Exception {
        kafka.createTopics(Topics.ALL);
        // State of an earlier run belongs to another broker: start from nothing.
        Path work = fresh(WORK.resolve("services"));
        Path tokens = Files.writeString(work.resolve("api-tokens.yaml"),
                "tokens:\n  - user: alice\n    role: responder\n    token: " + TOKEN + "\n");
        Path statusSecret = work.resolve("status-secret");
        Files.writeString(statusSecret, "0123456789abcdef".repeat(4));
        Files.setPosixFilePermissions(statusSecret, PosixFilePermissions.fromString("rw-------"));

        List<Running> running = new ArrayList<>();
        try {
            for (Dist dist : SERVICES) {
                int port = TopicContents.freePort();
                Map<String, String> env = new LinkedHashMap<>();
                env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
                env.put("KAFKA_NUM_STANDBY_REPLICAS", "0"); // one instance each
                env.put("INCIDENT_STATE_DIR", work.resolve(dist.service() + "-state").toString());
                env.put("INCIDENT_API_TOKENS_FILE", tokens.toString());
                env.put("INCIDENT_STATUS_SECRET_FILE", statusSecret.toString());
                List<String> args = new ArrayList<>();
                if (dist.service().equals("alert-ingest")) {
                    // One service takes its port from a file named on the command line, which passes through the script.
                    args.addAll(List.of("--config", Files.writeString(work.resolve("alert-ingest.properties"),
                            "http.port=" + port + "\n").toString()));
                } else {
                    env.put("INCIDENT_HTTP_PORT", Integer.toString(port));
                }
                running.add(start(dist, port, env, args, work));
            }
            for (Running service : running) {
                await(service.dist().service() + " ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            assertThat(service.process().isAlive()).as(service.dist().service() + " alive; its log: " + service.log()).isTrue();
                            return status(service.port(), "/readyz") == 200;
                        });
            }
            for (Running service : running) {
                // The pid started is the JVM (exec), with the distribution's config file unless one was named.
                ProcessHandle.Info info = service.process().info();
                assertThat(info.command()).hasValueSatisfying(command -> assertThat(command).endsWith("java"));
                List<String> jvmArgs = List.of(info.arguments().orElseThrow());
                assertThat(jvmArgs).contains("-Dlogback.configurationFile=" + service.dist().home().resolve("config/logback.xml"));
                if (!service.dist().service().equals("alert-ingest")) {
                    assertThat(jvmArgs).containsSubsequence("--config",
                            service.dist().home().resolve("config").resolve(service.dist().service() + ".properties").toString());
                }
            }

            Running incidents = running.stream().filter(service -> service.dist().service().equals("incident-stream")).findFirst().orElseThrow();
            Run help = incidentctl(Map.of(), "--help");
            assertThat(help.exit()).as(help.out()).isZero();
            assertThat(help.out()).contains("Usage: incidentctl");
            Run list = incidentctl(Map.of("INCIDENTCTL_URL", "http://127.0.0.1:" + incidents.port(), "INCIDENTCTL_TOKEN", TOKEN),
                    "incidents", "list", "-o", "json");
            assertThat(list.exit()).as(list.out()).isZero();
            assertThat(list.out()).contains("\"incidents\" : [ ]");

            for (Running service : running) {
                service.process().destroy(); // SIGTERM
            }
            for (Running service : running) {
                assertThat(service.process().waitFor(30, TimeUnit.SECONDS)).as(service.dist().service() + " stops").isTrue();
                // 143 = 128 + SIGTERM: the JVM's exit once its shutdown hooks (closing the service) have run.
                assertThat(service.process().exitValue()).as(service.dist().service()).isEqualTo(143);
                assertThat(Files.readString(service.log())).contains("Stopped " + service.dist().service())
                        .doesNotContain("did not stop cleanly");
            }
        } finally {
            running.forEach(service -> service.process().destroyForcibly());
        }
    }

    @Test
    void eachSettingsTemplateDocumentsEverySettingOfItsService_commentedOut() throws IOException {
        for (Dist dist : SERVICES) {
            String template = Files.readString(dist.home().resolve("config").resolve(dist.service() + ".properties"));
            dist.settings().names().forEach(key -> assertThat(template).as(dist.service() + ": " + key).contains("\n#" + key + "="));
            assertThat(template.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))).as(dist.service()).isEmpty();
            assertThat(dist.home().resolve("config/logback.xml")).exists();
            assertThat(Files.isExecutable(dist.home().resolve("bin").resolve(dist.service()))).isTrue();
        }
        assertThat(Files.isExecutable(INCIDENTCTL.home().resolve("bin/incidentctl"))).isTrue();
    }

    @Test
    void theTarballUnpacksToTheDirectoryTree() throws Exception {
        Dist dist = SERVICES.get(1);
        Path tarball;
        try (Stream<Path> files = Files.list(ROOT.resolve(dist.module()).resolve("target"))) {
            tarball = files.filter(file -> file.getFileName().toString().matches(dist.service() + "-[0-9].*\\.tar\\.gz"))
                    .findFirst().orElseThrow();
        }
        Path unpacked = fresh(WORK.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();

        // <service>-<version>/ holds what the directory holds, byte for byte, the start script executable.
        Path base = unpacked.resolve(tarball.getFileName().toString().replace(".tar.gz", ""));
        Map<String, Boolean> files = tree(dist.home());
        assertThat(tree(base)).isEqualTo(files).containsEntry("bin/" + dist.service(), true);
        for (String file : files.keySet()) {
            assertThat(Files.mismatch(base.resolve(file), dist.home().resolve(file))).as(file).isEqualTo(-1L);
        }
    }

    /** {@code dir}, emptied of what an earlier run left. */
    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                old.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    /** Every file under {@code dir} by its relative path, and whether it is executable. */
    private static Map<String, Boolean> tree(Path dir) throws IOException {
        Map<String, Boolean> tree = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(file -> tree.put(dir.relativize(file).toString(), Files.isExecutable(file)));
        }
        return tree;
    }

    private Running start(Dist dist, int port, Map<String, String> env, List<String> args, Path work) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(dist.home().resolve("bin").resolve(dist.service()).toString());
        command.addAll(args);
        Path log = work.resolve(dist.service() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("INCIDENT_") || name.startsWith("KAFKA_"));
        builder.environment().putAll(env);
        builder.environment().put("JAVA_OPTS", JAVA_OPTS);
        return new Running(dist, builder.start(), port, log);
    }

    private record Run(int exit, String out) {
    }

    private static Run incidentctl(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(INCIDENTCTL.home().resolve("bin/incidentctl").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new Run(process.exitValue(), out);
        } finally {
            process.destroyForcibly();
        }
    }

    private static int status(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
