package dev.incidentengine.status;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.status.domain.PageEvents;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The public site through a real broker and a real HTTP server: the page's log written to a topic,
 * every document served from it with ETag/304, the feeds valid XML, the rate limit's 429, a reader that
 * cannot find its log reported, and a second view replayed from the log serving the same bytes.
 */
@WithKafka
class PublicSiteIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> GENEROUS = Map.of(StatusPageServiceConfig.SITE_RATE_PER_SECOND_CONFIG, "1000",
            StatusPageServiceConfig.SITE_RATE_BURST_CONFIG, "1000");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private static void write(KafkaTestCluster kafka, Topic<String, StatusPageEvent> topic, List<StatusPageEvent> events) {
        kafka.produce(topic, events.stream().map(event -> Map.entry(event.getPageId(), event)).toList());
    }

    private HttpResponse<String> get(String uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<StatusPageEvent> seed(PageEvents log, Instant now) {
        log.configured(now.minus(Duration.ofDays(120)), "Acme", "Europe/Berlin", "api", "API", null, "eu", "EU", "Regions", "us", "US", "Regions");
        log.status(now.minus(Duration.ofDays(3)), "api", ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE);
        log.status(now.minus(Duration.ofDays(3)).plus(Duration.ofHours(2)), "api", ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL);
        Instant old = now.minus(Duration.ofDays(3));
        log.incident(old, "old-1", "API errors", PublicImpact.MAJOR, PublicIncidentStatus.INVESTIGATING, old, "Investigating errors", List.of("api"));
        log.incident(old.plus(Duration.ofHours(2)), "old-1", "API errors", PublicImpact.MAJOR, PublicIncidentStatus.RESOLVED, old, "Resolved", List.of("api"));
        log.maintenance(now.minusSeconds(60), "m-1", "Database upgrade", MaintenanceStatus.SCHEDULED, now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)), "We will upgrade the database", List.of("eu"));
        return log.written();
    }

    @Test
    void servesThePageItsFeedsAndStatuspagesApiFromTheLog_withEtagsAndTheSameBytesOnReplay(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> topic = kafka.createTopic(Topics.STATUS_PAGE);
        PageEvents log = new PageEvents("public");
        write(kafka, topic, seed(log, Instant.now()));

        try (SiteHarness live = new SiteHarness(kafka, topic, dir.resolve("live"), GENEROUS).awaitReady()) {
            String base = live.base();
            HttpResponse<String> status = get(base + "/status", Map.of());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(status.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
            assertThat(status.headers().firstValue("Cache-Control")).hasValue("public, no-cache");
            assertThat(status.body()).contains("Acme", "Database upgrade", "API errors", "Regions");
            assertThat(Pattern.compile("<li class=\"bar ").matcher(status.body()).results().count()).as("90 bars for each of 3 components").isEqualTo(270);
            assertThat(get(base + "/status/history", Map.of()).body()).contains("API errors", "Incident history");
            for (String asset : List.of(PublicSite.CSS_PATH, PublicSite.SCRIPT_PATH, PublicSite.ICON_PATH)) {
                assertThat(get(base + asset, Map.of()).statusCode()).isEqualTo(200);
            }

            // Every API document: JSON, the page object, and a 304 for the ETag it came with.
            String etag = null;
            for (String path : PublicSite.DOCUMENTS) {
                HttpResponse<String> response = get(base + path, Map.of());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
                etag = response.headers().firstValue("ETag").orElseThrow();
                if (path.startsWith("/api/v2/")) {
                    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
                    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
                    assertThat(JSON.readTree(response.body()).at("/page/name").asText()).isEqualTo("Acme");
                }
                HttpResponse<String> again = get(base + path, Map.of("If-None-Match", etag));
                assertThat(again.statusCode()).as(path + " unchanged").isEqualTo(304);
                assertThat(again.body()).isEmpty();
            }
            // Gzipped once per version for the clients that take it, under the weak form of the same tag.
            HttpResponse<byte[]> gzipped = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).header("Accept-Encoding", "br, gzip")
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(gzipped.headers().firstValue("Vary")).hasValue("Accept-Encoding");
            String strong = get(base + "/status", Map.of()).headers().firstValue("ETag").orElseThrow();
            assertThat(gzipped.headers().firstValue("ETag")).hasValue("W/" + strong);
            try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(get(base + "/status", Map.of()).body());
            }
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).header("Accept-Encoding", "gzip")
                    .header("If-None-Match", strong).build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode()).isEqualTo(304);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).header("Accept-Encoding", "gzip;q=0")
                    .build(), HttpResponse.BodyHandlers.ofByteArray()).headers().firstValue("Content-Encoding")).isEmpty();

            JsonNode components = JSON.readTree(get(base + "/api/v2/components.json", Map.of()).body()).get("components");
            assertThat(components).extracting(c -> c.get("id").asText()).containsExactly("api", "group-regions", "eu", "us");
            Document atom = xml(get(base + "/status/history.atom", Map.of()).body());
            assertThat(atom.getDocumentElement().getLocalName()).isEqualTo("feed");
            assertThat(atom.getElementsByTagNameNS("http://www.w3.org/2005/Atom", "entry").getLength()).isEqualTo(2);
            Document rss = xml(get(base + "/status/history.rss", Map.of()).body());
            assertThat(rss.getElementsByTagName("item").getLength()).isEqualTo(2);

            // A new incident: the ETag changes and every document says so.
            Instant now = Instant.now();
            write(kafka, topic, List.of(log.incident(now, "new-1", "Checkout failing", PublicImpact.CRITICAL, PublicIncidentStatus.INVESTIGATING,
                    now, "We are investigating", List.of("eu"))));
            String before = etag;
            await("the new incident served").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> summary = get(base + "/api/v2/summary.json", Map.of("If-None-Match", before));
                assertThat(summary.statusCode()).isEqualTo(200);
                JsonNode json = JSON.readTree(summary.body());
                assertThat(json.at("/incidents/0/name").asText()).isEqualTo("Checkout failing");
                assertThat(json.at("/status/indicator").asText()).isEqualTo("critical");
            });

            // A second view, built from the log alone, serves the same bytes for every document.
            try (StatusPageView replay = new StatusPageView(KafkaClients.consumer(new StatusPageServiceConfig(Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers())), "replay"), topic, kafka.serdes(), "public", Clock.systemUTC(),
                    Duration.ofSeconds(30), new SimpleMeterRegistry())) {
                replay.start();
                await("the replay at the live page's version").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(replay.snapshot()).isPresent();
                    PageSnapshot ours = live.site.view().snapshot().orElseThrow();
                    PageSnapshot theirs = replay.snapshot().orElseThrow();
                    assertThat(theirs.etag()).isEqualTo(ours.etag());
                    for (String path : PublicSite.DOCUMENTS) {
                        assertThat(new String(theirs.documents().get(path).body())).as(path)
                                .isEqualTo(new String(ours.documents().get(path).body()));
                    }
                });
            }
        }
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfter_whateverItsForwardedFor(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> topic = kafka.createTopic(Topics.STATUS_PAGE);
        write(kafka, topic, seed(new PageEvents("public"), Instant.now()));
        try (SiteHarness site = new SiteHarness(kafka, topic, dir.resolve("limited"), Map.of(
                StatusPageServiceConfig.SITE_RATE_PER_SECOND_CONFIG, "0.2", StatusPageServiceConfig.SITE_RATE_BURST_CONFIG, "3")).awaitReady()) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(site.base() + "/api/v2/status.json", Map.of("X-Forwarded-For", "10.0.0." + i)).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> limited = get(site.base() + "/status", Map.of("X-Forwarded-For", "10.0.0.99"));

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 5L);
            assertThat(JSON.readTree(limited.body()).get("error").asText()).contains("too many requests");
        }
    }

    @Test
    void badRequestsGetAClearRefusalAndChangeNothing(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> topic = kafka.createTopic(Topics.STATUS_PAGE);
        write(kafka, topic, seed(new PageEvents("public"), Instant.now()));
        try (SiteHarness site = new SiteHarness(kafka, topic, dir.resolve("bad"), GENEROUS).awaitReady()) {
            String base = site.base();
            String before = get(base + "/api/v2/summary.json", Map.of()).body();
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v2/summary.json"))
                        .method(method, HttpRequest.BodyPublishers.ofString("{\"status\":{\"indicator\":\"none\"}}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(method).isEqualTo(405);
                assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("method not allowed");
            }
            for (String path : List.of("/api/v2/nope.json", "/api/v2/incidents/../../status", "/status/<script>", "/api/v2/summary.json/x")) {
                HttpResponse<String> response = get(base + path.replace("<", "%3C").replace(">", "%3E"), Map.of());
                assertThat(response.statusCode()).as(path).isIn(400, 404);
                assertThat(response.body()).doesNotContain("<script>");
            }
            // Query strings (a cache buster, JSONP's callback) change nothing: the same document, never reflected.
            HttpResponse<String> withQuery = get(base + "/api/v2/summary.json?callback=%3Cscript%3Ealert(1)%3C/script%3E", Map.of());
            assertThat(withQuery.body()).isEqualTo(before);
            HttpResponse<String> hugeTag = get(base + "/api/v2/summary.json", Map.of("If-None-Match", "\"" + "x".repeat(20_000) + "\""));
            assertThat(hugeTag.statusCode()).isIn(200, 431);
            assertThat(get(base + "/api/v2/summary.json", Map.of()).body()).isEqualTo(before);
        }
    }

    @Test
    void aPageNotConfiguredIsNotFoundAndTheSiteStaysReady(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> topic = kafka.createTopic(Topics.STATUS_PAGE);
        write(kafka, topic, seed(new PageEvents("another-page"), Instant.now()));
        try (SiteHarness site = new SiteHarness(kafka, topic, dir.resolve("unconfigured"), GENEROUS).awaitReady()) {
            HttpResponse<String> response = get(site.base() + "/api/v2/summary.json", Map.of());
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("no status page is configured");
        }
    }

    @Test
    void aReaderThatCannotFindItsLogIsNotReadyAndSaysWhy(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> missing = new Topic<>("status.page.missing-" + System.nanoTime(), String.class, StatusPageEvent.class, 1,
                Topic.Cleanup.DELETE, null);
        try (SiteHarness site = new SiteHarness(kafka, missing, dir.resolve("missing"), Map.of(
                StatusPageServiceConfig.SITE_STALLED_AFTER_MS_CONFIG, "1000"))) {
            await("reported").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(site.site.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("waiting for the page's log"));
                assertThat(site.metrics.get("status.page.view.stalled").gauge().value()).isEqualTo(1.0);
            });
            HttpResponse<String> response = get(site.base() + "/status", Map.of());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
            HttpResponse<String> ready = get(site.base() + "/readyz", Map.of());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("waiting for the page");
        }
    }

    private static Document xml(String text) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
