package dev.incidentengine.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.incidentengine.service.ConfigSources;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceRunner;
import org.slf4j.LoggerFactory;

/**
 * Services started in this JVM from environment variables, as their distribution or image starts them, each in a thread of
 * its own (side by side, as in a cluster), with their state under {@code dir}; closed in reverse order. For the tests of
 * Kafka security, where each service gets its own Kafka client settings as {@code KAFKA_*} variables.
 */
final class ServicesFromEnv implements AutoCloseable {

    private final Path dir;
    private final List<ServiceRunner> runners = new CopyOnWriteArrayList<>();

    ServicesFromEnv(Path dir) {
        this.dir = dir;
    }

    /** Starts one service with these Kafka client settings and {@code incident.*} settings; its URL once started. */
    <C extends EngineConfig> CompletableFuture<String> start(String name, Map<String, Object> kafkaClient, Map<String, String> settings,
                                                             Function<Map<String, String>, C> config, Function<C, Service> service) {
        Map<String, String> env = new HashMap<>();
        kafkaClient.forEach((key, value) -> env.put("KAFKA_" + variable(key), String.valueOf(value)));
        env.put("KAFKA_NUM_STANDBY_REPLICAS", "0");
        env.put("INCIDENT_HTTP_HOST", "127.0.0.1");
        env.put("INCIDENT_HTTP_PORT", "0");
        env.put("INCIDENT_STATE_DIR", dir.resolve("state").resolve(name).toString());
        settings.forEach((key, value) -> env.put("INCIDENT_" + variable(key), value));
        C resolved = config.apply(ConfigSources.load(null, env));
        resolved.logResolved(LoggerFactory.getLogger(ServicesFromEnv.class), name);
        ServiceRunner runner = new ServiceRunner(resolved.httpHost(), resolved.httpPort(), resolved.httpLimits(), List.of(service.apply(resolved)));
        runners.add(runner);
        return CompletableFuture.supplyAsync(() -> url(runner.start()), task -> new Thread(task, name + "-start").start());
    }

    List<ServiceRunner> runners() {
        return List.copyOf(runners);
    }

    static String url(ServiceRunner runner) {
        return "http://127.0.0.1:" + runner.httpAddress().getPort();
    }

    private static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** A random secret in a file only its owner reads, as the services want their session and status secrets. */
    Path secretFile(String name) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Override
    public void close() {
        for (int i = runners.size() - 1; i >= 0; i--) {
            runners.get(i).close();
        }
    }
}
