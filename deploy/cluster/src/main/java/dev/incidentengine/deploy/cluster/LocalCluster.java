package dev.incidentengine.deploy.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.deploy.LocalEngine;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.status.StatusPageServiceConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster on this machine: three KRaft broker processes (each broker and controller, one
 * three-voter quorum; replication factor 3, {@code min.insync.replicas} 2), the registry's topics,
 * the configuration of a config directory, and two processes of every service, each from its
 * distribution with its own port and state directory. Brokers and services can be killed
 * (SIGKILL), paused (SIGSTOP) and restarted on the same data. Everything lives under
 * {@code workDir}; {@link #close} (also run at JVM exit) ends every process.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    public static final String HOST = "127.0.0.1";
    /** Small heaps and C1 only: three brokers and ten service JVMs share two cores in CI. */
    public static final List<String> SERVICE_JVM_OPTIONS = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Djava.awt.headless=true");

    /**
     * @param workDir   brokers' data and every instance's state and log
     * @param configDir the configuration (ConfigData's files), published before the services start
     * @param configEnv the variables the config files may name ({@code ${NAME}})
     * @param settings  settings of every service instance (over their defaults), by service; {@code null} key: all
     * @param instances processes of each service
     */
    public record Options(Path workDir, Path configDir, Map<String, String> configEnv, Map<ServiceKind, Map<String, String>> settings,
                          int brokers, int instances, ServiceProcess.Launcher launcher) {
    }

    private final Options options;
    private final List<KafkaBroker> brokers = new ArrayList<>();
    private final Map<ServiceKind, List<ServiceProcess>> services = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::close, "local-cluster-stop");
    private String bootstrap;

    public LocalCluster(Options options) {
        this.options = options;
    }

    /**
     * Ends what an earlier run in {@code workDir} left running (its JVM was killed: its pid files are
     * there) and deletes the directory, for a new cluster.
     */
    public static void clean(Path workDir) throws IOException {
        Path work = workDir.toAbsolutePath();
        if (!Files.isDirectory(work)) {
            return;
        }
        stopOrphans(work);
        try (var paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Starts brokers, topics, config and services; returns once every broker and service is ready. */
    public LocalCluster start() throws Exception {
        Path work = options.workDir().toAbsolutePath();
        Files.createDirectories(work);
        stopOrphans(work);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        List<Integer> ports = new ArrayList<>();
        List<Integer> controllerPorts = new ArrayList<>();
        for (int i = 0; i < options.brokers(); i++) {
            ports.add(LocalEngine.freePort());
            controllerPorts.add(LocalEngine.freePort());
        }
        KafkaBroker.Quorum quorum = KafkaBroker.Quorum.of(HOST, controllerPorts);
        for (int i = 0; i < options.brokers(); i++) {
            brokers.add(new KafkaBroker(work.resolve("broker-" + (i + 1)), HOST, ports.get(i), controllerPorts.get(i), i + 1, quorum));
        }
        long started = System.nanoTime();
        for (KafkaBroker broker : brokers) {
            broker.launch();
        }
        for (KafkaBroker broker : brokers) {
            broker.awaitReady(Duration.ofSeconds(180));
        }
        bootstrap = String.join(",", brokers.stream().map(KafkaBroker::bootstrapServers).toList());
        log.info("{} brokers ready in {} s: {}", brokers.size(), (System.nanoTime() - started) / 1_000_000_000, bootstrap);

        Map<String, String> common = new HashMap<>(options.settings().getOrDefault(null, Map.of()));
        common.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Replicated and busy: commits take hundreds of milliseconds, so they are paced (bench/chaos).
        common.putIfAbsent(EngineConfig.STREAMS_COMMIT_PACING_CONFIG, "true");
        AlertIngestConfig config = new AlertIngestConfig(common);
        try (Admin admin = Admin.create(KafkaClients.admin(config))) {
            TopicCreator.ensureCreated(admin, Topics.ALL, Optional.of((short) brokers.size()));
            awaitFullyReplicated(admin, Duration.ofSeconds(120));
        }
        List<ConfigData.Entry> entries = ConfigData.readDirectory(options.configDir(), options.configEnv());
        log.info("Configuration from {}: {}", options.configDir(),
                ConfigPublisher.publish(entries, KafkaClients.producer(config, "local-cluster-config"), config.recordSerdes()));

        // The status page and the notifier share the secret that seals subscribers' addresses and signs their links.
        String statusSecret = secretFile(work.resolve("status-secret")).toString();
        // Every instance's port first: a service's settings may name another's address.
        Map<ServiceKind, List<Integer>> httpPorts = new LinkedHashMap<>();
        for (ServiceKind kind : ServiceKind.values()) {
            List<Integer> kindPorts = new ArrayList<>();
            for (int i = 1; i <= options.instances(); i++) {
                kindPorts.add(LocalEngine.freePort());
            }
            httpPorts.put(kind, kindPorts);
        }
        for (ServiceKind kind : ServiceKind.values()) {
            List<ServiceProcess> instances = new ArrayList<>();
            for (int i = 1; i <= options.instances(); i++) {
                Map<String, String> settings = new HashMap<>(common);
                if (kind == ServiceKind.STATUS_PAGE || kind == ServiceKind.NOTIFIER) {
                    settings.put(StatusPageServiceConfig.SECRET_FILE_CONFIG, statusSecret);
                }
                if (kind == ServiceKind.INCIDENT_STREAM) {
                    // The Slack app's /incident oncall asks escalation-stream, which here is a process of its own: the one of the same index.
                    settings.put(IncidentStreamConfig.SLACK_ONCALL_URL_CONFIG,
                            "http://" + HOST + ":" + httpPorts.get(ServiceKind.ESCALATION_STREAM).get(i - 1));
                }
                settings.putAll(options.settings().getOrDefault(kind, Map.of()));
                instances.add(new ServiceProcess(kind, i, work.resolve(kind.distribution() + "-" + i), options.launcher(), settings,
                        httpPorts.get(kind).get(i - 1)));
            }
            services.put(kind, instances);
        }
        started = System.nanoTime();
        for (ServiceProcess service : services()) {
            service.start();
        }
        for (ServiceProcess service : services()) {
            service.awaitReady(Duration.ofSeconds(300));
        }
        log.info("{} service processes ready in {} s ({})", services().size(), (System.nanoTime() - started) / 1_000_000_000,
                options.launcher().distributions() ? "from their distributions" : "from this JVM's class path");
        return this;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public List<KafkaBroker> brokers() {
        return brokers;
    }

    public List<ServiceProcess> services() {
        return services.values().stream().flatMap(List::stream).toList();
    }

    public List<ServiceProcess> instances(ServiceKind kind) {
        return services.getOrDefault(kind, List.of());
    }

    /** SIGKILL a broker, start it again on its data, and wait until it serves and every partition is fully in sync again. */
    public void killAndRestart(KafkaBroker broker, Duration timeout) throws Exception {
        broker.kill();
        broker.start(timeout);
        awaitFullyReplicated(timeout);
    }

    /** SIGKILL a service instance, start it again on its port and state directory, and wait for /readyz 200. */
    public void killAndRestart(ServiceProcess service, Duration timeout) throws Exception {
        service.kill();
        service.start();
        service.awaitReady(timeout);
    }

    /** Returns once every partition of the registry's topics has all its replicas in sync (so the next broker may go). */
    public void awaitFullyReplicated(Duration timeout) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            awaitFullyReplicated(admin, timeout);
        }
    }

    private static void awaitFullyReplicated(Admin admin, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> names = Topics.ALL.stream().map(topic -> topic.name()).toList();
        String behind = "";
        while (System.nanoTime() < deadline) {
            try {
                behind = underReplicated(admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values());
                if (behind.isEmpty()) {
                    return;
                }
            } catch (Exception notYet) {
                behind = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("partitions not fully replicated within " + timeout + ": " + behind);
    }

    private static String underReplicated(Collection<TopicDescription> topics) {
        for (TopicDescription topic : topics) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.leader() == null || partition.isr().size() < partition.replicas().size()) {
                    return topic.name() + "-" + partition.partition() + " isr " + partition.isr().size() + " of " + partition.replicas().size();
                }
            }
        }
        return "";
    }

    /** Runs incidentctl (its distribution, else this JVM's class path) and returns its exit code and output. */
    public CliResult incidentctl(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        Path script = options.launcher().root().resolve("cli/target/dist/incidentctl/bin/incidentctl");
        if (Files.isExecutable(script)) {
            command.add(script.toString());
        } else {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"), "dev.incidentengine.cli.Incidentctl"));
        }
        command.addAll(List.of(args));
        Path output = Files.createTempFile(options.workDir().toAbsolutePath(), "incidentctl", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("INCIDENTCTL_BOOTSTRAP_SERVERS", bootstrap);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("incidentctl " + List.of(args) + " did not finish within " + timeout);
        }
        return new CliResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    public record CliResult(int exitCode, String output) {
    }

    /** Processes a run that could not clean up left behind (its JVM was killed): their pid files are in the work dir. */
    private static void stopOrphans(Path work) throws IOException {
        try (var files = Files.walk(work)) {
            for (Path pidFile : files.filter(path -> List.of("pid", "broker.pid").contains(path.getFileName().toString())).toList()) {
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                String marker = pidFile.getParent().toString();
                ProcessHandle.of(pid).filter(handle -> proc(pid, "environ").contains(marker) || proc(pid, "cmdline").contains(marker)).ifPresent(handle -> {
                    log.warn("Killing {} (pid {}), left by an earlier run", pidFile.getParent().getFileName(), pid);
                    handle.destroyForcibly();
                });
                Files.delete(pidFile);
            }
        }
    }

    /** A process's environment or command line, as /proc has it (services name their directory in one, brokers in the other). */
    private static String proc(long pid, String file) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    /** A file of 32 random bytes (hex), readable by its owner only; made once. */
    private static Path secretFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, HexFormat.of().formatHex(secret));
        }
        return file;
    }

    /** Services first (SIGTERM, they need the brokers to close), then the brokers; the processes of each kind together. */
    @Override
    public synchronized void close() {
        inParallel(services().stream().<Runnable>map(service -> () -> {
            try {
                service.stop(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).toList());
        services.clear();
        inParallel(brokers.stream().<Runnable>map(broker -> broker::close).toList());
        brokers.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // Called by the hook itself.
        }
    }

    private static void inParallel(List<Runnable> actions) {
        List<Thread> threads = actions.stream().map(action -> new Thread(action, "local-cluster-stop")).toList();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
