package dev.incidentengine.deploy.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.incidentengine.service.EngineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./incident-cluster}: the cluster kit on this machine until Ctrl-C, with a config directory
 * (deploy/local by default, its webhooks going nowhere unless LOCAL_SINK_URL names a receiver).
 */
@Command(name = "incident-cluster", mixinStandardHelpOptions = true,
        description = "Three KRaft brokers and two processes of every service on this machine, until Ctrl-C.")
public final class LocalClusterMain implements Callable<Integer> {

    @Option(names = "--work-dir", defaultValue = "target/cluster", description = "Brokers' data, state and logs, made anew (default ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--config-dir", defaultValue = "deploy/local", description = "Configuration published to the cluster (default ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--instances", defaultValue = "2", description = "Processes of each service (default ${DEFAULT-VALUE}).")
    int instances;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalClusterMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent("LOCAL_SINK_URL", "http://127.0.0.1:9");
        env.putIfAbsent("LOCAL_ENGINE_URL", "http://127.0.0.1:8081");
        Map<ServiceKind, Map<String, String>> settings = new HashMap<>();
        Path tokens = configDir.resolve("secrets/api-tokens.yaml").toAbsolutePath();
        if (Files.isRegularFile(tokens)) {
            Map<String, String> api = Map.of(EngineConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
            List.of(ServiceKind.INCIDENT_STREAM, ServiceKind.ESCALATION_STREAM, ServiceKind.NOTIFIER).forEach(kind -> settings.put(kind, api));
        }
        LocalCluster.clean(workDir);
        LocalCluster cluster = new LocalCluster(new LocalCluster.Options(workDir, configDir, env, settings, 3, instances,
                new ServiceProcess.Launcher(Path.of("").toAbsolutePath(), LocalCluster.SERVICE_JVM_OPTIONS)));
        cluster.start();
        System.out.println("Kafka: " + cluster.bootstrapServers());
        cluster.brokers().forEach(broker -> System.out.printf("broker-%d             %s  pid %d  log %s%n", broker.nodeId(),
                broker.bootstrapServers(), broker.pid(), broker.logFile()));
        for (ServiceProcess service : cluster.services()) {
            System.out.printf("%-20s %s  pid %d  log %s%n", service.name(), service.url(), service.pid(), service.log());
        }
        System.out.println("Ctrl-C stops the services, then the brokers.");
        // The kit's shutdown hook stops everything.
        new CountDownLatch(1).await();
        return 0;
    }
}
