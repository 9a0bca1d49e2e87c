package dev.incidentengine.deploy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.deploy.broker.BrokerMain;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft broker (broker and controller in one) running as its own JVM, from the Maven artifacts
 * of kafka-broker-runtime: a single node, or one voter of a {@link Quorum} of such nodes on this
 * machine (deploy/cluster). Storage is formatted once; later starts reuse it.
 * The broker dies with its launcher: it exits when the stdin pipe we hold closes. It ignores
 * SIGINT (Ctrl-C signals the terminal's whole process group), so the launcher stops it last.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static final String CLASSPATH_RESOURCE = "/dev/incidentengine/deploy/broker/kafka-broker.classpath";
    // A development broker: small heap, quick start.
    private static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx768m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private final Path home;
    private final String host;
    private final int port;
    private final int controllerPort;
    private final int nodeId;
    private final Quorum quorum;
    private Process process;
    private OutputStream lifeline;
    private boolean paused;

    /**
     * The controller quorum of brokers on this machine, each broker and controller: every node is
     * formatted with the same cluster id and initial voters ({@code StorageTool format --initial-controllers}).
     */
    public record Quorum(String clusterId, List<Voter> voters) {

        /** A controller: its node id, controller listener and metadata log directory id. */
        public record Voter(int nodeId, String host, int controllerPort, Uuid directoryId) {
        }

        /** A new cluster of {@code controllerPorts.size()} nodes numbered from 1. */
        public static Quorum of(String host, List<Integer> controllerPorts) {
            List<Voter> voters = new ArrayList<>();
            for (int i = 0; i < controllerPorts.size(); i++) {
                voters.add(new Voter(i + 1, host, controllerPorts.get(i), Uuid.randomUuid()));
            }
            return new Quorum(Uuid.randomUuid().toString(), List.copyOf(voters));
        }

        String bootstrapServers() {
            return String.join(",", voters.stream().map(v -> v.host() + ":" + v.controllerPort()).toList());
        }

        String initialControllers() {
            return String.join(",", voters.stream().map(v -> v.nodeId() + "@" + v.host() + ":" + v.controllerPort() + ":" + v.directoryId()).toList());
        }
    }

    /** A single node: its own controller quorum. */
    public KafkaBroker(Path home, String host, int port, int controllerPort) {
        this(home, host, port, controllerPort, 1, null);
    }

    /** Node {@code nodeId} of {@code quorum} (null: a single node), whose controller listens on {@code controllerPort}. */
    public KafkaBroker(Path home, String host, int port, int controllerPort, int nodeId, Quorum quorum) {
        this.home = home.toAbsolutePath().normalize();
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
        this.nodeId = nodeId;
        this.quorum = quorum;
    }

    public int nodeId() {
        return nodeId;
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    public Path logFile() {
        return home.resolve("logs/server.log");
    }

    /** True when this data directory was formatted before, i.e. a restart that keeps incidents. */
    public boolean hasData() {
        return Files.exists(home.resolve("data/meta.properties"));
    }

    public synchronized void start(Duration timeout) throws IOException, InterruptedException {
        launch();
        awaitReady(timeout);
    }

    /**
     * Starts the broker's JVM without waiting for it: the nodes of a quorum are launched together,
     * since none is ready before a majority of the controllers runs.
     */
    public synchronized void launch() throws IOException, InterruptedException {
        writeConfig();
        stopOrphan();
        requireFree(port, "--kafka-port");
        requireFree(controllerPort, "--controller-port");
        String classpath = classpath();
        if (!hasData()) {
            format(classpath);
        }
        List<String> command = java(classpath, BrokerMain.class.getName());
        command.add(home.resolve("server.properties").toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                // Never an undrained pipe: the broker would block once the buffer fills.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("logs/broker.out").toFile()))
                .start();
        lifeline = process.getOutputStream();
        paused = false;
        Files.writeString(home.resolve("broker.pid"), Long.toString(process.pid()));
    }

    /** The broker's process id; -1 when it does not run. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** SIGKILL, as a crash would: no controlled shutdown, nothing flushed. {@link #start} runs it again on the same data. */
    public synchronized void kill() throws InterruptedException, IOException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Kafka broker " + nodeId + " (pid " + process.pid() + ") still running 30 s after SIGKILL");
        }
        lifeline.close();
        Files.deleteIfExists(home.resolve("broker.pid"));
        process = null;
    }

    /** SIGSTOP: the broker keeps its sockets open and answers nothing, as a host cut off from the network does. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause}. */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("Kafka broker " + nodeId + " does not run");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Another broker on our port would answer our readiness checks; refuse to start instead. */
    private void requireFree(int candidate, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, candidate));
        } catch (IOException e) {
            throw new IllegalStateException(host + ":" + candidate + " is in use: stop what listens there or choose "
                    + option);
        }
    }

    private String clusterId() throws IOException {
        Properties meta = new Properties();
        try (Reader reader = Files.newBufferedReader(home.resolve("data/meta.properties"))) {
            meta.load(reader);
        }
        return meta.getProperty("cluster.id");
    }

    private void writeConfig() throws IOException {
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        String broker = host + ":" + port;
        String controller = host + ":" + controllerPort;
        int replicas = quorum == null ? 1 : quorum.voters().size();
        int minInSync = Math.min(2, replicas);
        // Coordinators (groups, transactions) spread over the nodes of a cluster, so a killed broker takes some of them along.
        int internalPartitions = replicas == 1 ? 1 : 3;
        Files.writeString(home.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.bootstrap.servers=" + (quorum == null ? controller : quorum.bootstrapServers()),
                "listeners=PLAINTEXT://" + broker + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://" + broker + ",CONTROLLER://" + controller,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "log.dirs=" + home.resolve("data"),
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + minInSync,
                // Internal topics replicated as the others: a single broker needs one replica, or transactions never initialize.
                "offsets.topic.replication.factor=" + replicas,
                "offsets.topic.num.partitions=" + internalPartitions,
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minInSync,
                "transaction.state.log.num.partitions=" + internalPartitions,
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=2",
                "num.io.threads=4",
                ""));
        Files.writeString(home.resolve("log4j2.properties"), String.join("\n",
                "status = warn",
                "appender.file.type = RollingFile",
                "appender.file.name = FILE",
                "appender.file.fileName = ${sys:kafka.logs.dir}/server.log",
                "appender.file.filePattern = ${sys:kafka.logs.dir}/server.log.%i",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "appender.file.policies.type = Policies",
                "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
                "appender.file.policies.size.size = 20MB",
                "appender.file.strategy.type = DefaultRolloverStrategy",
                "appender.file.strategy.max = 3",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = FILE",
                ""));
    }

    private List<String> java(String classpath, String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Dkafka.logs.dir=" + home.resolve("logs"));
        command.add("-Dlog4j2.configurationFile=" + home.resolve("log4j2.properties"));
        // Keep logging to the file during Kafka's own shutdown hook.
        command.add("-Dlog4j2.shutdownHookEnabled=false");
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        return command;
    }

    private static String classpath() throws IOException {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IOException("Missing " + CLASSPATH_RESOURCE + ": build with ./mvnw install -DskipTests");
            }
            Path self = Path.of(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return self + File.pathSeparator + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private void format(String classpath) throws IOException, InterruptedException {
        List<String> command = java(classpath, "kafka.tools.StorageTool");
        command.addAll(quorum == null
                ? List.of("format", "--standalone", "--cluster-id", Uuid.randomUuid().toString())
                : List.of("format", "--cluster-id", quorum.clusterId(), "--initial-controllers", quorum.initialControllers()));
        command.addAll(List.of("--config", home.resolve("server.properties").toString()));
        Process formatter = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(formatter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!formatter.waitFor(120, TimeUnit.SECONDS) || formatter.exitValue() != 0) {
            throw new IllegalStateException("Formatting Kafka storage in " + home + " failed:\n" + output);
        }
        log.info("Formatted new Kafka storage in {}", home.resolve("data"));
    }

    /** A broker left by a launcher that could not clean up still holds the lock and ports. */
    private void stopOrphan() throws IOException {
        Path pidFile = home.resolve("broker.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String marker = home.resolve("server.properties").toString();
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
                .filter(handle -> commandLine(handle).contains(marker))
                .ifPresent(handle -> {
                    log.warn("Stopping the broker an earlier run left behind (pid {})", handle.pid());
                    handle.destroy();
                    try {
                        handle.onExit().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        handle.destroyForcibly();
                    }
                });
        Files.deleteIfExists(pidFile);
    }

    /**
     * The full command line of a process. Linux's /proc first: the JDK's view of it is cut short
     * for command lines as long as a broker's class path.
     */
    static String commandLine(ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException e) {
            // Gone meanwhile, or not ours to read.
        }
        return process.info().commandLine().orElse("");
    }

    /** Returns once the broker answers with our cluster id (so another broker on our port is never mistaken for it). */
    public void awaitReady(Duration timeout) throws InterruptedException, IOException {
        String clusterId = clusterId();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka broker exited with code " + process.exitValue()
                            + "; see " + home.resolve("logs"));
                }
                try {
                    if (clusterId.equals(admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS))) {
                        return;
                    }
                } catch (Exception notYet) {
                    // Still starting.
                }
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("Kafka broker not ready within " + timeout + "; see " + home.resolve("logs"));
                }
                Thread.sleep(100);
            }
        }
    }

    /** SIGTERM (Kafka shuts down in a controlled way), SIGKILL after 30 seconds. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        try {
            if (paused) {
                resume();
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("Kafka broker did not stop within 30 s: killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            lifeline.close();
            Files.deleteIfExists(home.resolve("broker.pid"));
            log.info("Kafka broker stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (IOException e) {
            log.warn("Cleaning up after the broker: {}", e.getMessage());
        }
        process = null;
    }
}
