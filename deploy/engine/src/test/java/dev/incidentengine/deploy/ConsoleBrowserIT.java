package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.Chromium;
import dev.incidentengine.testkit.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in real headless Chromium against the local engine (its own broker, the example
 * configuration and every service): signing in, the live list, acting by click and by key, a
 * second user's browser, a viewer's limits, no errors in the browser's console and no serious
 * accessibility violations (axe-core) on any page. Screenshots go to {@code target/console-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserIT {

    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String INTEGRATION_KEY = "demo-integration-key-change-me";
    private static final ObjectMapper JSON = new ObjectMapper();

    // Static: made before @BeforeAll, which starts the engine once for every test.
    @TempDir
    static Path dataDir;
    @TempDir
    static Path profiles;

    private final HttpClient http = HttpClient.newHttpClient();
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private LocalEngine engine;
    private String base;
    private final List<Chromium> browsers = new java.util.ArrayList<>();

    private final int kafkaPort = freePort();
    private final int controllerPort = freePort();
    private final int httpPort = freePort();

    @BeforeAll
    void startEngine() throws Exception {
        engine = engine();
        engine.start();
        base = engine.httpUrl();
    }

    /** The same ports and data every time: a restart is the same instance coming back. */
    private LocalEngine engine() {
        LocalEngine engine = new LocalEngine();
        new CommandLine(engine).parseArgs(
                "--data-dir", dataDir.toString(),
                "--kafka-port", Integer.toString(kafkaPort),
                "--controller-port", Integer.toString(controllerPort),
                "--http-port", Integer.toString(httpPort),
                "--sink-port", "0",
                "--smtp-port", "0",
                "--config-dir", Path.of("../local").toString());
        return engine;
    }

    private static int freePort() {
        try {
            return TopicContents.freePort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(Chromium::close);
        browsers.clear();
    }

    @AfterAll
    void stopEngine() {
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void aResponderSignsIn_seesANewIncidentLive_andAcknowledgesByClickAndByKey() throws Exception {
        Chromium alice = browser(1280, 900);
        alice.open(base + "/");
        alice.wait.until(d -> d.getCurrentUrl().contains("/signin?next="));
        alice.find("#token");
        alice.screenshot("signin");
        assertThat(alice.accessibilityViolations()).as("the sign-in page").isEmpty();
        signIn(alice, RESPONDER);
        assertThat(alice.find("h1").getText()).isEqualTo("Incidents");
        alice.find("#feed-status.feed-live");

        // Without a reload: a page that reloaded would have lost this mark.
        alice.script("window.consoleTestMark = 'still here'");
        String title = "Checkout down " + UUID.randomUUID();
        sendAlert(title);
        alice.wait.until(d -> row(alice, title).getText().contains("triggered"));
        assertThat(alice.script("return window.consoleTestMark")).isEqualTo("still here");
        alice.wait.until(d -> d.findElement(By.cssSelector(".counts")).getText().matches("(?s)[1-9]\\d* open.*[1-9]\\d* unacknowledged.*"));
        alice.screenshot("incidents");
        assertThat(alice.accessibilityViolations()).as("the incidents page").isEmpty();

        // Rows are drawn again as changes arrive: each step finds its row anew.
        alice.wait.until(d -> {
            row(alice, title).findElement(By.xpath(".//button[text()='Acknowledge']")).click();
            return true;
        });
        alice.wait.until(d -> row(alice, title).getText().contains("acknowledged"));
        String clicked = incidentId(alice, title);
        assertThat(lastActor(clicked, "IncidentAcknowledged")).isEqualTo("alice");

        // The newest incident is at the top: j selects it, a acknowledges it.
        String keyed = "Payments slow " + UUID.randomUUID();
        sendAlert(keyed);
        row(alice, keyed);
        alice.wait.until(d -> d.findElements(By.cssSelector("tbody tr")).get(0).getText().contains(keyed));
        alice.driver.findElement(By.tagName("body")).sendKeys("j");
        alice.wait.until(d -> d.findElements(By.cssSelector("tbody tr.selected")).size() == 1);
        new Actions(alice.driver).sendKeys("a").perform();
        alice.wait.until(d -> row(alice, keyed).getText().contains("acknowledged"));
        assertThat(lastActor(incidentId(alice, keyed), "IncidentAcknowledged")).isEqualTo("alice");
        assertThat(alice.consoleErrors()).isEmpty();
    }

    @Test
    void anotherUsersBrowserSeesTheChange_aViewerHasNoActions_andAForgedPostIsRefused() throws Exception {
        String title = "Search index lagging " + UUID.randomUUID();
        sendAlert(title);
        String id = await().atMost(Duration.ofSeconds(60)).until(() -> findIncident(title), java.util.Objects::nonNull);

        Chromium bob = browser(1280, 900);
        bob.open(base + "/incidents/" + id);
        signIn(bob, VIEWER);
        bob.wait.until(d -> d.findElement(By.id("incident-title")).getText().equals(title));
        bob.find(".timeline li");
        assertThat(bob.driver.findElements(By.cssSelector(".incident-actions button"))).as("a viewer's actions").isEmpty();
        assertThat(bob.driver.findElements(By.cssSelector(".incident-actions details"))).isEmpty();

        Chromium alice = browser(1280, 900);
        alice.open(base + "/incidents/" + id);
        signIn(alice, RESPONDER);
        alice.find(".incident-actions button.primary");
        alice.screenshot("incident");
        assertThat(alice.accessibilityViolations()).as("the incident page").isEmpty();
        alice.driver.findElement(By.xpath("//section[contains(@class,'incident-actions')]//button[text()='Acknowledge']")).click();

        bob.wait.until(d -> d.findElement(By.cssSelector(".incident-header .status")).getText().equals("acknowledged"));
        bob.wait.until(d -> d.findElement(By.cssSelector(".timeline")).getText().contains("Acknowledged"));
        bob.screenshot("incident-viewer");

        assertThat(bob.consoleErrors()).isEmpty();
        assertThat(alice.consoleErrors()).isEmpty();

        // A viewer's session cannot act, with or without the CSRF token; a responder's cannot act without it.
        assertThat(fetchStatus(bob, id, true)).isEqualTo(403);
        assertThat(fetchStatus(alice, id, false)).isEqualTo(403);
        assertThat(fetchStatus(alice, id, true)).isEqualTo(200);
        assertThat(incident(id).get("status").asText()).isEqualTo("RESOLVED");
    }

    @Test
    void theSessionCookieIsHttpOnlyAndStrict_andSigningOutEndsIt() throws Exception {
        Chromium alice = browser(390, 844);
        alice.open(base + "/incidents");
        signIn(alice, RESPONDER);
        alice.find("table.incidents");
        alice.screenshot("incidents-phone");
        assertThat(alice.accessibilityViolations()).as("the incidents page on a phone").isEmpty();

        Cookie cookie = alice.driver.manage().getCookieNamed("incident_session");
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(alice.script("return document.cookie")).asString().doesNotContain("incident_session");
        assertThat(apiWithCookie("/api/v1/incidents", cookie.getValue()).statusCode()).isEqualTo(200);

        alice.driver.findElement(By.xpath("//button[text()='Sign out']")).click();
        alice.wait.until(d -> d.getCurrentUrl().contains("/signin"));
        assertThat(alice.driver.manage().getCookieNamed("incident_session")).isNull();
        assertThat(apiWithCookie("/api/v1/incidents", cookie.getValue()).statusCode()).as("the old cookie replayed").isEqualTo(401);
        alice.open(base + "/incidents");
        alice.wait.until(d -> d.getCurrentUrl().contains("/signin"));
        assertThat(alice.consoleErrors()).isEmpty();
    }

    @Test
    void aSilenceWrittenInTheConsoleHoldsBackItsAlerts_andExpiringItThereReleasesThem() throws Exception {
        String alertname = "ConsoleSilence" + UUID.randomUUID().toString().replace("-", "");
        Chromium alice = browser(1280, 900);
        alice.open(base + "/silences");
        signIn(alice, RESPONDER);
        alice.find("#silence-matchers").sendKeys("alertname=\"" + alertname + "\"");
        WebElement duration = alice.find("#silence-duration");
        duration.clear();
        duration.sendKeys("1h");
        alice.find("#silence-comment").sendKeys("planned failover <b>drill</b>");
        alice.driver.findElement(By.cssSelector("form.silence-form button[type=submit]")).click();
        WebElement silence = alice.wait.until(d -> d.findElements(By.cssSelector("tbody tr")).stream()
                .filter(tr -> tr.getText().contains(alertname)).findFirst().orElse(null));
        assertThat(silence.getText()).contains("active", "alice", "planned failover <b>drill</b>");
        alice.screenshot("silences");
        assertThat(alice.accessibilityViolations()).as("the silences page").isEmpty();

        // The engine holds back a matching alert, by this silence: no incident opens.
        String title = "Held back " + alertname;
        sendAlert(title, Map.of("alertname", alertname));
        await("the alert held by the silence").atMost(Duration.ofSeconds(60)).until(() -> TopicContents.readToEnd(engine.bootstrap(),
                Topics.ALERTS_SUPPRESSED, serdes, Duration.ofSeconds(10)).stream().map(ConsumerRecord::value)
                .anyMatch(held -> held.getAlert().getSummary().equals(title) && held.getReason() == SuppressionReason.SILENCED));
        await("no incident while held").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> findIncident(title) == null);

        Chromium bob = browser(1280, 900);
        bob.open(base + "/silences");
        signIn(bob, VIEWER);
        bob.wait.until(d -> d.findElement(By.cssSelector("tbody")).getText().contains(alertname));
        assertThat(bob.driver.findElements(By.cssSelector("form.silence-form"))).as("a viewer's form").isEmpty();
        assertThat(bob.driver.findElements(By.xpath("//button[text()='Expire']"))).isEmpty();

        alice.wait.until(d -> {
            d.findElements(By.cssSelector("tbody tr")).stream().filter(tr -> tr.getText().contains(alertname)).findFirst().orElseThrow()
                    .findElement(By.xpath(".//button[text()='Expire']")).click();
            return true;
        });
        alice.wait.until(d -> !d.findElement(By.cssSelector("tbody")).getText().contains(alertname));
        // The held alert is released into an incident once its silence ends.
        await("the held alert released").atMost(Duration.ofSeconds(60)).until(() -> findIncident(title) != null);
        assertThat(alice.consoleErrors()).isEmpty();
        assertThat(bob.consoleErrors()).isEmpty();
    }

    @Test
    void theOnCallPageAgreesWithTheApi_acrossADaylightSavingChange() throws Exception {
        // Europe/Berlin leaves winter time on 2027-03-28; the viewer is in New York, which did on 2027-03-14.
        String at = "2027-03-20T12:00:00Z";
        Chromium bob = new Chromium(java.nio.file.Files.createTempDirectory(profiles, "profile"), 1280, 900, "America/New_York");
        browsers.add(bob);
        bob.open(base + "/oncall?at=" + at);
        signIn(bob, VIEWER);
        bob.find(".agenda .shift");
        bob.screenshot("oncall");
        assertThat(bob.accessibilityViolations()).as("the on-call page").isEmpty();

        JsonNode onCall = JSON.readTree(api("/api/v1/oncall?at=" + at).body()).get("oncall");
        List<String> fromApi = new java.util.ArrayList<>();
        List<String> shownNow = bob.driver.findElements(By.cssSelector("table.oncall tbody tr")).stream()
                .map(tr -> tr.getAttribute("data-schedule") + "=" + tr.getAttribute("data-user")).toList();
        onCall.forEach(entry -> fromApi.add(entry.get("schedule").asText() + "=" + entry.get("userId").asText()));
        assertThat(shownNow).as("on call at " + at).containsExactlyElementsOf(fromApi);

        // The agenda shows the viewer's own shifts first, and everyone's on request: each the API's, and only those (gaps are not shifts).
        assertThat(bob.driver.findElements(By.cssSelector(".agenda li.shift"))).isNotEmpty()
                .allSatisfy(li -> assertThat(li.getAttribute("data-user")).isEqualTo("bob"));
        new Select(bob.find("#oncall-user")).selectByValue("");
        List<String> expected = new java.util.ArrayList<>();
        for (JsonNode entry : onCall) {
            String to = java.time.Instant.parse(at).plus(Duration.ofDays(14)).toString();
            JsonNode shifts = JSON.readTree(api("/api/v1/schedules/" + entry.get("schedule").asText() + "/shifts?from=" + at + "&to=" + to)
                    .body()).get("shifts");
            shifts.forEach(shift -> {
                if (!shift.get("userId").isNull()) {
                    expected.add(entry.get("schedule").asText() + " " + shift.get("userId").asText() + " " + shift.get("start").asText());
                }
            });
        }
        List<String> agenda = bob.driver.findElements(By.cssSelector(".agenda li.shift")).stream()
                .map(li -> li.getAttribute("data-schedule") + " " + li.getAttribute("data-user") + " " + li.getAttribute("data-start")).toList();
        assertThat(agenda).containsExactlyInAnyOrderElementsOf(expected);
        // The weekly handover stays at 09:00 in Berlin across its change (08:00 UTC, then 07:00), shown as 04:00 and 03:00 in New York.
        for (String[] handover : new String[][] {{"2027-03-22T08:00:00Z", "04:00"}, {"2027-03-29T07:00:00Z", "03:00"}}) {
            WebElement shift = bob.driver.findElement(By.cssSelector(".agenda li.shift[data-schedule='payments-primary'][data-start='"
                    + handover[0] + "']"));
            assertThat(shift.findElement(By.cssSelector(".schedule-time")).getText()).as(handover[0]).contains("09:00", "Europe/Berlin");
            assertThat(shift.getText()).as(handover[0]).contains(handover[1] + " – ").contains("your time");
        }
        assertThat(bob.consoleErrors()).isEmpty();
    }

    @Test
    void whenTheInstanceRestarts_theConsoleSaysSo_andGoesOnLiveWithoutAReload() throws Exception {
        Chromium alice = browser(1280, 900);
        alice.open(base + "/incidents");
        signIn(alice, RESPONDER);
        alice.find("#feed-status.feed-live");
        alice.script("window.consoleTestMark = 'still here'");

        engine.stop();
        alice.wait.until(d -> d.findElement(By.id("feed-status")).getText().equals("Reconnecting…"));
        alice.screenshot("reconnecting");
        engine = engine();
        engine.start();

        // Signed in still (the session's secret is kept in the data directory), live again, and the
        // list takes in what happened meanwhile.
        String title = "After the restart " + UUID.randomUUID();
        sendAlert(title);
        row(alice, title);
        alice.find("#feed-status.feed-live");
        assertThat(alice.script("return window.consoleTestMark")).isEqualTo("still here");
        alice.wait.until(d -> d.findElement(By.cssSelector("p[role=status]")).getText().matches("\\d+\\+? incidents?"));
        assertThat(alice.driver.findElement(By.id("notice")).isDisplayed()).as("no error left on screen: "
                + alice.driver.findElement(By.id("notice")).getText()).isFalse();
        // The only errors are the engine's absence while it was down.
        assertThat(alice.consoleErrors()).allMatch(error -> error.matches(
                ".*(ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|status of 503).*"), "the engine down");
    }

    private Chromium browser(int width, int height) throws Exception {
        Chromium browser = new Chromium(java.nio.file.Files.createTempDirectory(profiles, "profile"), width, height);
        browsers.add(browser);
        return browser;
    }

    private static void signIn(Chromium browser, String token) {
        browser.find("#token").sendKeys(token);
        browser.driver.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        browser.wait.until(d -> !d.getCurrentUrl().contains("/signin"));
    }

    private static WebElement row(Chromium browser, String title) {
        return browser.wait.until(d -> d.findElements(By.cssSelector("tbody tr")).stream()
                .filter(tr -> tr.getText().contains(title)).findFirst().orElse(null));
    }

    private static String incidentId(Chromium browser, String title) {
        return browser.wait.until(d -> row(browser, title).getAttribute("data-id"));
    }

    /** POST on the incident's resolve from the page's own script, as a forged form would, with or without the CSRF token. */
    private static long fetchStatus(Chromium browser, String id, boolean withCsrf) {
        return (Long) browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/console/session').then(r => r.json()).then(session => fetch('/api/v1/incidents/' + arguments[0] + '/resolve?wait=true', {
                  method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, arguments[1] ? {'X-CSRF-Token': session.csrf} : {}),
                  body: '{}'})).then(r => done(r.status), e => done(-1));""", id, withCsrf);
    }

    private void sendAlert(String summary) throws Exception {
        sendAlert(summary, Map.of());
    }

    private void sendAlert(String summary, Map<String, String> labels) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts"))
                .header("Authorization", "Bearer " + INTEGRATION_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("summary", summary, "severity", "SEV2",
                        "dedupKey", summary, "labels", labels)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private String findIncident(String title) throws Exception {
        for (JsonNode incident : JSON.readTree(api("/api/v1/incidents?limit=100").body()).get("incidents")) {
            if (incident.get("title").asText().equals(title)) {
                return incident.get("incidentId").asText();
            }
        }
        return null;
    }

    private JsonNode incident(String id) throws Exception {
        return JSON.readTree(api("/api/v1/incidents/" + id).body());
    }

    /** Who the log says did the last event of this type. */
    private String lastActor(String id, String type) throws Exception {
        String actor = null;
        for (JsonNode event : JSON.readTree(api("/api/v1/incidents/" + id + "/events?limit=500").body()).get("events")) {
            if (event.get("payload").get("type").asText().equals(type)) {
                actor = event.get("actor").get("id").asText();
            }
        }
        return actor;
    }

    private HttpResponse<String> api(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + VIEWER).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> apiWithCookie(String path, String session) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", "incident_session=" + session).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
