package dev.incidentengine.status;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.awaitility.Awaitility.await;

/** The public site alone on a real HTTP server, reading a page's log of the test's own, as the status-page service wires it. */
final class SiteHarness implements AutoCloseable {

    /** The site as a service of its own, the few lines the status-page service adds. */
    static final class SiteService implements Service {
        final PublicSite site;

        SiteService(PublicSite site) {
            this.site = site;
        }

        @Override
        public String name() {
            return "public-site";
        }

        @Override
        public void routes(HttpServer http, MeterRegistry metrics) {
            site.routes(http);
        }

        @Override
        public void start(MeterRegistry metrics) {
            site.start();
        }

        @Override
        public Optional<String> problem() {
            return site.problem();
        }

        @Override
        public void close() {
            site.close();
        }
    }

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final PublicSite site;
    final ServiceRunner runner;

    SiteHarness(KafkaTestCluster kafka, Topic<String, StatusPageEvent> page, Path stateDir, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(StatusPageServiceConfig.PAGE_ID_CONFIG, "public");
        settings.putAll(more);
        StatusPageServiceConfig config = new StatusPageServiceConfig(settings);
        StatusTopics defaults = StatusTopics.DEFAULT;
        StatusTopics topics = new StatusTopics(defaults.incidentEvents(), defaults.commands(), page, defaults.subscribers(), defaults.config(),
                defaults.silences(), defaults.deadLetters());
        site = new PublicSite(config, topics, metrics, Clock.systemUTC());
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new SiteService(site))).start();
    }

    SiteHarness awaitReady() {
        await("the site ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return this;
    }

    String base() {
        return "http://127.0.0.1:" + runner.httpAddress().getPort();
    }

    @Override
    public void close() {
        runner.close();
    }
}
