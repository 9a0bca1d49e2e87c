package dev.incidentengine.service;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main of a service deployed on its own: {@code [--config FILE]}, environment overrides,
 * resolved config logged once, HTTP server and service started, everything closed on SIGTERM.
 */
public final class ServiceMain {

    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    private ServiceMain() {
    }

    public static <C extends EngineConfig> void run(String name, String[] args,
                                                    Function<Map<String, String>, C> configFactory,
                                                    Function<C, Service> serviceFactory) throws InterruptedException {
        C config = configFactory.apply(ConfigSources.load(configFile(args), System.getenv()));
        config.logResolved(log, name);
        ServiceRunner runner = new ServiceRunner(config.httpHost(), config.httpPort(), config.httpLimits(),
                List.of(serviceFactory.apply(config)))
                .closeOnShutdown();
        try {
            runner.start();
        } catch (RuntimeException e) {
            // Exit, so that a supervisor (Kubernetes, systemd, the cluster kit) sees the failure and restarts it.
            log.error("{} could not start", name, e);
            System.exit(1);
        }
        log.info("{} listening on http://{}:{}", name, runner.httpAddress().getHostString(), runner.httpAddress().getPort());
        runner.awaitClosed();
    }

    private static Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        if (args.length > 0) {
            throw new IllegalArgumentException("Usage: [--config FILE]; unknown arguments " + List.of(args));
        }
        return null;
    }
}
