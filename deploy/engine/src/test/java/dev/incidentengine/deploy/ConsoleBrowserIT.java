package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.AlertAttached;
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
import org.openqa.selenium.Keys;
import org.openqa.selenium.Dimension;
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

    private final int kafkaPort = TopicContents.freePort();
    private final int controllerPort = TopicContents.freePort();
    private final int httpPort = TopicContents.freePort();

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
    void aLinkMailedToTheUsersAddressSignsThemInOnce_withTheirTokensRole() throws Exception {
        Chromium bob = browser(1280, 900);
        bob.open(base + "/oncall");
        bob.find("#login").sendKeys("bob@example.com");
        bob.driver.findElement(By.cssSelector("form.signin-link button[type=submit]")).click();
        bob.wait.until(d -> d.findElement(By.id("link-status")).getText().contains("on its way"));
        bob.screenshot("signin-link-requested");
        assertThat(bob.accessibilityViolations()).as("the sign-in page").isEmpty();

        // The notifier mails it through its e-mail channel to the local engine's SMTP sink (GreenMail).
        String link = await("the link in bob's inbox").atMost(Duration.ofSeconds(30)).until(() -> mailedLink("bob@example.com"),
                java.util.Objects::nonNull);
        assertThat(link).startsWith(base + "/signin/link?next=%2Foncall#");
        bob.open(link);
        bob.find("form.signin button[type=submit]");
        bob.screenshot("signin-link-landing");
        assertThat(bob.accessibilityViolations()).as("the link's page").isEmpty();
        bob.driver.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        bob.wait.until(d -> d.getCurrentUrl().equals(base + "/oncall"));
        assertThat(bob.find("#who .user").getText()).isEqualTo("bob (viewer)");
        bob.screenshot("signin-link-signed-in");
        Cookie cookie = bob.driver.manage().getCookieNamed("incident_session");
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        HttpResponse<String> session = apiWithCookie("/console/session", cookie.getValue());
        assertThat(JSON.readTree(session.body()).get("role").asText()).isEqualTo("viewer");
        assertThat(bob.consoleErrors()).isEmpty();

        Chromium again = browser(390, 844);
        again.open(link);
        again.driver.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        again.wait.until(d -> d.findElement(By.id("link-error")).getText().contains("used already"));
        assertThat(again.driver.getCurrentUrl()).contains("/signin/link");
        assertThat(again.driver.manage().getCookieNamed("incident_session")).as("no session from a used link").isNull();
        again.screenshot("signin-link-used-phone");
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
    void aSilencePreviewListsExactlyTheAlertsTheEngineThenHoldsBack() throws Exception {
        String run = "Preview" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // Two incidents (the default route groups by service and alertname); the matchers below take three of the five alerts.
        Map<String, Map<String, String>> alerts = new java.util.LinkedHashMap<>();
        alerts.put(run + " latency prod", Map.of("alertname", run + "Latency", "team", "payments", "env", "prod"));
        alerts.put(run + " latency staging", Map.of("alertname", run + "Latency", "team", "payments", "env", "staging"));
        alerts.put(run + " latency dev", Map.of("alertname", run + "Latency", "team", "payments", "env", "dev"));
        alerts.put(run + " errors payments", Map.of("alertname", run + "Errors", "team", "payments", "env", "prod"));
        alerts.put(run + " errors search", Map.of("alertname", run + "Errors", "team", "search", "env", "prod"));
        Set<String> expected = Set.of(run + " latency prod", run + " latency staging", run + " errors payments");
        for (Map.Entry<String, Map<String, String>> alert : alerts.entrySet()) {
            sendAlert(alert.getKey(), alert.getValue());
        }
        String everyAlert = "/api/v1/silences/preview?matchers=" + java.net.URLEncoder.encode("alertname=~\"" + run + ".*\"",
                java.nio.charset.StandardCharsets.UTF_8);
        JsonNode firing = await("every alert firing in its incident").atMost(Duration.ofSeconds(60))
                .until(() -> JSON.readTree(api(everyAlert).body()), answer -> answer.path("matchingAlerts").asInt() == 5);
        Map<String, String> fingerprints = new java.util.HashMap<>();
        Set<String> incidents = new java.util.HashSet<>();
        firing.get("alerts").forEach(alert -> {
            fingerprints.put(alert.get("summary").asText(), alert.get("fingerprint").asText());
            incidents.add(alert.get("incidentId").asText());
        });
        assertThat(incidents).hasSize(2);

        Chromium alice = browser(1280, 900);
        alice.open(base + "/silences");
        signIn(alice, RESPONDER);
        WebElement matchers = alice.find("#silence-matchers");
        // A matcher the engine cannot read is shown with its line.
        matchers.sendKeys("alertname=~\"" + run + ".*\"\nteam=~\"(payments\"");
        alice.wait.until(d -> d.findElement(By.id("silence-preview-summary")).getText().startsWith("Line 2: "));
        assertThat(alice.find("#silence-preview-summary").getText()).contains("invalid regular expression");
        matchers.sendKeys(Keys.chord(Keys.CONTROL, "a"), "alertname=~\"" + run + ".*\"\nteam=\"payments\"\nenv!=\"dev\"");
        alice.wait.until(d -> d.findElement(By.id("silence-preview-summary")).getText().equals("3 firing alerts in 2 open incidents match."));
        Map<String, String> previewed = new java.util.HashMap<>();
        for (WebElement item : alice.driver.findElements(By.cssSelector("#silence-preview-alerts > li"))) {
            previewed.put(item.findElement(By.tagName("strong")).getText(), item.getAttribute("data-fingerprint"));
            assertThat(item.findElement(By.tagName("a")).getAttribute("href")).matches(".*/incidents/INC-[0-9-]+");
        }
        assertThat(previewed.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        expected.forEach(summary -> assertThat(previewed.get(summary)).isEqualTo(fingerprints.get(summary)));
        // From the matchers, Tab reaches the preview's first incident link.
        matchers.sendKeys(Keys.TAB);
        assertThat(alice.script("return document.activeElement.closest('#silence-preview-alerts') !== null")).isEqualTo(true);
        alice.screenshot("silences-preview");
        assertThat(alice.accessibilityViolations()).as("the silences page with a preview").isEmpty();

        WebElement duration = alice.find("#silence-duration");
        duration.clear();
        duration.sendKeys("1h");
        alice.find("#silence-comment").sendKeys("preview drill " + run);
        alice.driver.findElement(By.cssSelector("form.silence-form button[type=submit]")).click();
        String silenceId = alice.wait.until(d -> d.findElements(By.cssSelector("tbody tr")).stream()
                .filter(tr -> tr.getText().contains("preview drill " + run)).findFirst().map(tr -> tr.getAttribute("data-id")).orElse(null));

        // A silence holds an alert back when it fires anew: every alert resolves first (their incidents with them), then fires again.
        for (Map.Entry<String, Map<String, String>> alert : alerts.entrySet()) {
            sendAlert(alert.getKey(), alert.getValue(), "resolved");
        }
        await("the incidents resolved").atMost(Duration.ofSeconds(60)).until(() -> {
            for (String id : incidents) {
                if (!incident(id).get("status").asText().equals("RESOLVED")) {
                    return false;
                }
            }
            return true;
        });
        java.time.Instant refired = java.time.Instant.now();
        for (Map.Entry<String, Map<String, String>> alert : alerts.entrySet()) {
            sendAlert(alert.getKey(), alert.getValue());
        }
        Set<String> heldExpected = Set.copyOf(previewed.values());
        Set<String> passedExpected = new java.util.HashSet<>(fingerprints.values());
        passedExpected.removeAll(heldExpected);
        await("the previewed alerts held, the others attached again").atMost(Duration.ofSeconds(60))
                .until(() -> held(silenceId, refired).equals(heldExpected) && attached(fingerprints.values(), refired).equals(passedExpected));
        await("nothing more held or attached").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> held(silenceId, refired).equals(heldExpected) && attached(fingerprints.values(), refired).equals(passedExpected));
        // The only errors are the preview's answer to the unreadable matcher.
        assertThat(alice.consoleErrors()).allMatch(error -> error.matches(".*/api/v1/silences/preview.*status of 400.*"), "the refused preview");
    }

    /** The fingerprints the silence held back since {@code since} ({@code SuppressedAlert} on alerts.suppressed.v1). */
    private Set<String> held(String silenceId, java.time.Instant since) {
        return TopicContents.readToEnd(engine.bootstrap(), Topics.ALERTS_SUPPRESSED, serdes, Duration.ofSeconds(10)).stream()
                .map(ConsumerRecord::value)
                .filter(held -> held.getReason() == SuppressionReason.SILENCED && held.getRuleId().equals(silenceId)
                        && !held.getAlert().getReceivedAt().isBefore(since))
                .map(held -> held.getAlert().getFingerprint()).collect(java.util.stream.Collectors.toSet());
    }

    /** Which of these fingerprints were attached to an incident since {@code since} ({@code AlertAttached} on incident.events.v1). */
    private Set<String> attached(java.util.Collection<String> fingerprints, java.time.Instant since) {
        return TopicContents.readToEnd(engine.bootstrap(), Topics.INCIDENT_EVENTS, serdes, Duration.ofSeconds(10)).stream()
                .map(ConsumerRecord::value)
                .filter(event -> event.getPayload() instanceof AlertAttached attached && fingerprints.contains(attached.getAlert().getFingerprint())
                        && !attached.getAlert().getReceivedAt().isBefore(since))
                .map(event -> ((AlertAttached) event.getPayload()).getAlert().getFingerprint()).collect(java.util.stream.Collectors.toSet());
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
    void aResponderOverridesAScheduleOnTheOnCallPage_thePageAndTheApiNameTheOverrideUser_andRemovingItGivesTheShiftBack()
            throws Exception {
        String usual = JSON.readTree(api("/api/v1/oncall?schedule=payments-primary").body()).get("userId").asText();
        Chromium alice = new Chromium(java.nio.file.Files.createTempDirectory(profiles, "profile"), 1280, 900, "America/New_York");
        browsers.add(alice);
        alice.open(base + "/oncall");
        signIn(alice, RESPONDER);
        alice.wait.until(d -> !new Select(d.findElement(By.id("override-user"))).getOptions().isEmpty());
        new Select(alice.find("#override-schedule")).selectByValue("payments-primary");
        // dave is no participant of the schedule: offered among everyone else.
        new Select(alice.find("#override-user")).selectByValue("dave");
        // The form takes the viewer's wall-clock time (New York); typing into a datetime-local depends on the browser's locale.
        java.time.ZonedDateTime from = java.time.ZonedDateTime.now(java.time.ZoneId.of("America/New_York"))
                .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        java.time.ZonedDateTime until = from.plusHours(2);
        for (String[] input : new String[][] {{"#override-start", from.toLocalDateTime().toString()},
                {"#override-end", until.toLocalDateTime().toString()}}) {
            alice.script("const input = document.querySelector(arguments[0]); input.value = arguments[1];"
                    + " input.dispatchEvent(new Event('input', {bubbles: true}));", input[0], input[1]);
        }
        assertThat(alice.find("#override-zone").getText()).contains("America/New_York", "Europe/Berlin");
        alice.find("#override-reason").sendKeys(usual + " is on a plane <i>again</i>");
        alice.driver.findElement(By.cssSelector("form.override-form button[type=submit]")).click();

        WebElement row = alice.find("table.overrides tbody tr[data-user='dave']");
        assertThat(row.getText()).contains(usual + " is on a plane <i>again</i>", "alice", "active");
        alice.wait.until(d -> "dave".equals(d.findElement(By.cssSelector("table.oncall tbody tr[data-schedule='payments-primary']"))
                .getAttribute("data-user")));
        assertThat(alice.find("table.policies tbody tr[data-policy='payments-default']").getAttribute("data-users"))
                .as("the policy's first level pages the schedule's override").isEqualTo("dave");
        new Select(alice.find("#oncall-user")).selectByValue("dave");
        alice.find(".agenda li.shift[data-schedule='payments-primary'][data-user='dave']");
        JsonNode during = JSON.readTree(api("/api/v1/oncall?schedule=payments-primary").body());
        assertThat(during.get("userId").asText()).isEqualTo("dave");
        assertThat(during.get("shift").get("layer").asText()).isEqualTo("override");
        assertThat(during.get("shift").get("end").asText()).isEqualTo(until.toInstant().toString());
        alice.script("window.scrollTo(0, 0)");
        alice.screenshot("oncall-override");
        assertThat(alice.accessibilityViolations()).as("the on-call page with its override form").isEmpty();

        Chromium bob = browser(390, 844);
        bob.open(base + "/oncall");
        signIn(bob, VIEWER);
        bob.find("table.overrides tbody tr[data-user='dave']");
        assertThat(bob.driver.findElements(By.cssSelector("form.override-form"))).as("a viewer's form").isEmpty();
        assertThat(bob.driver.findElements(By.xpath("//button[text()='Remove']"))).isEmpty();
        bob.screenshot("oncall-viewer-phone");
        assertThat(bob.accessibilityViolations()).as("the on-call page on a phone").isEmpty();

        alice.find("table.overrides tbody tr[data-user='dave'] button").click();
        alice.wait.until(d -> d.findElements(By.cssSelector("table.overrides tbody tr[data-user='dave']")).isEmpty());
        alice.wait.until(d -> usual.equals(d.findElement(By.cssSelector("table.oncall tbody tr[data-schedule='payments-primary']"))
                .getAttribute("data-user")));
        assertThat(JSON.readTree(api("/api/v1/oncall?schedule=payments-primary").body()).get("userId").asText()).isEqualTo(usual);
        assertThat(alice.consoleErrors()).isEmpty();
        assertThat(bob.consoleErrors()).isEmpty();
    }

    @Test
    void theReportsPageChartsWhatTheReportsApiSays() throws Exception {
        // Two incidents worked through the API: one acknowledged and resolved, one acknowledged.
        List<String> ids = new java.util.ArrayList<>();
        for (String title : List.of("Report resolved " + UUID.randomUUID(), "Report acknowledged " + UUID.randomUUID())) {
            sendAlert(title);
            ids.add(await(title).atMost(Duration.ofSeconds(30)).until(() -> findIncident(title), java.util.Objects::nonNull));
        }
        assertThat(respond("/api/v1/incidents/" + ids.get(0) + "/acknowledge?wait=true", "{}").statusCode()).isEqualTo(200);
        assertThat(respond("/api/v1/incidents/" + ids.get(0) + "/resolve?wait=true", "{}").statusCode()).isEqualTo(200);
        assertThat(respond("/api/v1/incidents/" + ids.get(1) + "/acknowledge?wait=true", "{}").statusCode()).isEqualTo(200);

        Chromium bob = browser(1280, 1000);
        bob.open(base + "/reports?days=7&service=checkout");
        signIn(bob, VIEWER);
        assertThat(bob.find("h1").getText()).isEqualTo("Reports");
        assertThat(bob.find("nav a[aria-current=page]").getText()).isEqualTo("Reports");
        // Escalations of other tests' incidents may page someone meanwhile: the page drawn and the API read at one moment agree.
        await("the page's charts show the API's figures").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> {
            bob.driver.navigate().refresh();
            WebElement report = bob.find(".report[data-from]");
            bob.find("figure.chart");
            JsonNode api = JSON.readTree(api("/api/v1/reports?service=checkout&from=" + report.getAttribute("data-from") + "&to="
                    + report.getAttribute("data-to") + "&bucket=" + report.getAttribute("data-bucket")).body());
            return api.get("totals").get("resolved").asInt() >= 1 && !api.get("pagesPerResponder").isEmpty() && shown(bob).equals(expected(api));
        });
        List<WebElement> charts = bob.driver.findElements(By.cssSelector("figure.chart svg[role=img]"));
        assertThat(charts).hasSize(3).allSatisfy(svg -> assertThat(svg.findElement(By.tagName("title")).getAttribute("textContent")).isNotBlank());
        assertThat(bob.driver.findElements(By.cssSelector("figure.chart path.line.series-sev2"))).hasSize(2);
        bob.screenshot("reports");
        assertThat(bob.accessibilityViolations()).as("the reports page").isEmpty();

        // The filters live in the URL.
        new Select(bob.find("#report-severity")).selectByValue("SEV4");
        bob.wait.until(d -> d.getCurrentUrl().contains("severity=SEV4") && d.getCurrentUrl().contains("days=7"));
        bob.wait.until(d -> d.findElement(By.id("report-incidents")).getText().equals("0"));
        new Select(bob.find("#report-days")).selectByValue("365");
        bob.wait.until(d -> d.getCurrentUrl().contains("days=365"));
        bob.wait.until(d -> "week".equals(d.findElement(By.cssSelector(".report[data-from]")).getAttribute("data-bucket")));
        assertThat(bob.consoleErrors()).isEmpty();

        Chromium phone = browser(390, 844);
        phone.open(base + "/reports?days=30");
        signIn(phone, VIEWER);
        phone.find("figure.chart svg");
        phone.screenshot("reports-phone");
        assertThat(phone.accessibilityViolations()).as("the reports page on a phone").isEmpty();
    }

    /** What the reports page shows: totals, each chart's data table (period, column, value), the per-service rows. */
    private static List<String> shown(Chromium browser) {
        List<String> shown = new java.util.ArrayList<>();
        shown.add("incidents " + browser.driver.findElement(By.id("report-incidents")).getText());
        for (WebElement table : browser.driver.findElements(By.cssSelector("figure.chart table.chart-data"))) {
            String caption = table.findElement(By.tagName("caption")).getAttribute("textContent");
            List<String> columns = table.findElements(By.cssSelector("thead th")).stream().map(th -> th.getAttribute("textContent")).toList();
            for (WebElement tr : table.findElements(By.cssSelector("tbody tr"))) {
                List<WebElement> cells = tr.findElements(By.tagName("td"));
                for (int i = 0; i < cells.size(); i++) {
                    String value = cells.get(i).getAttribute("data-value");
                    if (!value.isEmpty()) {
                        shown.add(caption + " " + tr.findElement(By.tagName("th")).getAttribute("textContent") + " " + columns.get(i + 1) + " " + value);
                    }
                }
            }
        }
        browser.driver.findElements(By.cssSelector("table.report-table tr[data-group]")).forEach(tr -> shown.add("group " + tr.getAttribute("data-group")
                + " " + tr.findElement(By.cssSelector("td")).getText()));
        return shown;
    }

    /** The same, from the API's answer. */
    private static List<String> expected(JsonNode report) {
        List<String> expected = new java.util.ArrayList<>();
        expected.add("incidents " + report.get("totals").get("incidents").asText());
        for (String[] chart : new String[][] {{"Mean time to acknowledge per day", "acknowledgeMeanSeconds"},
                {"Mean time to resolve per day", "resolveMeanSeconds"}}) {
            List<String> points = new java.util.ArrayList<>();
            report.get("series").forEach(point -> {
                if (!point.get(chart[1]).isNull()) {
                    points.add(point.get("start").asText() + " " + point.get("severity").asText() + " " + point.get(chart[1]).asText());
                }
            });
            // The table lists periods in order, each period's severities in order: as the API's series.
            points.forEach(point -> expected.add(chart[0] + " " + point));
        }
        report.get("pagesPerResponder").forEach(row -> expected.add("Pages per responder " + row.get("user").asText() + " Pages "
                + row.get("pages").asText()));
        // The tables in the page's order: per severity, service, tier and type.
        for (String grouping : List.of("bySeverity", "byService", "byTier", "byType")) {
            report.get(grouping).forEach(row -> expected.add("group " + row.get("group").asText() + " " + row.get("incidents").asText()));
        }
        return expected;
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
        // The only errors are the engine's absence while it was down, and, just after the start, a read of the new incident the
        // feed told of before the read side's store held it (404), which the page reads again.
        assertThat(alice.consoleErrors()).allMatch(error -> error.matches(
                ".*(ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|status of 503"
                        + "|/api/v1/incidents/INC-[^ ]* - Failed to load resource: the server responded with a status of 404).*"),
                "the engine down");
    }

    @Test
    void thePagesLinkOpensTheIncident_whichIsWorkedToAPublishedReviewInTheBrowser() throws Exception {
        // checkout's policy pages the on-call user by e-mail, into the local engine's mail sink.
        String title = "Card payments failing " + UUID.randomUUID();
        sendAlert(title);
        LocalSinks.Received page = await("the page in the e-mail sink").atMost(Duration.ofSeconds(60)).until(() -> engine.sinks().received().stream()
                .filter(r -> r.via().equals("e-mail") && r.subject().contains(title)).findFirst().orElse(null), java.util.Objects::nonNull);
        java.util.regex.Matcher link = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(base) + "/incidents/[A-Za-z0-9-]+")
                .matcher(page.text());
        assertThat(link.find()).as("a console link in: %s", page.text()).isTrue();
        assertThat(link.group()).endsWith("/incidents/" + page.incidentId());

        Chromium alice = browser(390, 844);
        alice.open(link.group());
        signIn(alice, RESPONDER);
        alice.wait.until(d -> d.getCurrentUrl().endsWith("/incidents/" + page.incidentId()));
        assertThat(alice.find("h1").getText()).isEqualTo(title);

        WebElement actions = alice.find("section.incident-actions");
        actions.findElement(By.xpath(".//button[text()='Acknowledge']")).click();
        alice.wait.until(d -> d.findElement(By.cssSelector(".incident-header")).getText().contains("acknowledged"));
        command(alice, "Add note", Map.of("note-text", "Card processor returns 502s; failing over to the second region"));
        command(alice, "Set type", Map.of("type-to", "third-party-failure"));
        alice.wait.until(d -> d.findElement(By.cssSelector(".incident-header")).getText().contains("third-party-failure"));
        assertThat(alice.find(".incident-header").getText()).as("checkout is in tier core-api").contains("core-api");
        command(alice, "Take or hand over a role", Map.of("role-user", "alice"));
        alice.wait.until(d -> d.findElement(By.cssSelector(".incident-header")).getText().contains("commander: alice"));
        alice.find("section.incident-actions").findElement(By.xpath(".//button[text()='Resolve']")).click();
        alice.wait.until(d -> d.findElement(By.cssSelector(".incident-header")).getText().contains("resolved"));

        // A SEV2 review is recommended by itself; the responder makes it required.
        alice.wait.until(d -> d.findElement(By.cssSelector("section.review")).getText().contains("Recommended"));
        command(alice, "Require a review", Map.of("review-reason", "Payments were down"));
        alice.wait.until(d -> d.findElement(By.cssSelector("section.review")).getText().contains("Required"));
        command(alice, "Add action item", Map.of("item-title", "Alert on the card processor's error rate", "item-owner", "bob"));
        alice.wait.until(d -> d.findElement(By.cssSelector("section.review")).getText().contains("Alert on the card processor's error rate"));
        alice.find("section.review").findElement(By.xpath(".//button[text()='Done']")).click();
        alice.wait.until(d -> !d.findElements(By.cssSelector("section.review .action-items s")).isEmpty());
        command(alice, "Publish the review", Map.of("review-url", "https://wiki.example.com/reviews/card-payments"));
        alice.wait.until(d -> d.findElement(By.cssSelector("section.review")).getText().contains("published"));
        assertThat(alice.find("section.review a[href='https://wiki.example.com/reviews/card-payments']").isDisplayed()).isTrue();

        String timeline = alice.find(".timeline").getText();
        assertThat(timeline).contains("Acknowledged", "Note: Card processor returns 502s", "Type set to third-party-failure", "Resolved", "Review required", "Action item: ",
                "Action item done: ", "Review published: ");
        for (String type : List.of("IncidentAcknowledged", "NoteAdded", "IncidentResolved", "ReviewRequired", "ActionItemAdded",
                "ActionItemCompleted", "ReviewPublished")) {
            assertThat(lastActor(page.incidentId(), type)).as(type).isEqualTo("alice");
        }
        alice.screenshot("incident-reviewed-phone");
        assertThat(alice.accessibilityViolations()).as("a reviewed incident's page on a phone").isEmpty();
        assertThat(alice.consoleErrors()).isEmpty();
    }

    @Test
    void aResponderPublishesTheIncidentToTheStatusPageFromItsPage_andPostsAPublicUpdate() throws Exception {
        String title = "Checkout slow " + UUID.randomUUID();
        sendAlert(title);
        String id = await("the incident").atMost(Duration.ofSeconds(30)).until(() -> findIncident(title), java.util.Objects::nonNull);
        Chromium alice = browser(1280, 900);
        alice.open(base + "/incidents/" + id);
        signIn(alice, RESPONDER);
        alice.wait.until(d -> d.getCurrentUrl().endsWith("/incidents/" + id));
        alice.wait.until(d -> d.findElement(By.cssSelector("section.publication")).getText().contains("Not on Demo Shop Status."));

        // The public title starts as the incident's; checkout, the incident's service, is ticked.
        WebElement publish = alice.wait.until(d -> d.findElements(By.cssSelector("section.publication details.command")).stream()
                .filter(c -> c.findElement(By.tagName("summary")).getText().equals("Publish to the status page")).findFirst().orElse(null));
        publish.findElement(By.tagName("summary")).click();
        WebElement publicTitle = publish.findElement(By.id("publication-title-input"));
        assertThat(publicTitle.getAttribute("value")).isEqualTo(title);
        assertThat(publish.findElement(By.id("publication-component-checkout")).isSelected()).isTrue();
        assertThat(publish.findElement(By.id("publication-component-storefront")).isSelected()).isFalse();
        assertThat(new Select(publish.findElement(By.id("publication-impact"))).getFirstSelectedOption().getText()).isEqualTo("minor");
        publicTitle.clear();
        publicTitle.sendKeys("Some card payments fail");
        publish.findElement(By.cssSelector("button[type=submit]")).click();
        alice.wait.until(d -> d.findElement(By.cssSelector("section.publication")).getText().contains("Some card payments fail"));
        String shown = alice.find("section.publication").getText();
        assertThat(shown).contains("Public status", "investigating", "Impact", "minor", "Checkout", "Next update due");

        // The public page, signed in as nobody, shows the public title and never the internal one; it follows the
        // next update without a reload.
        Chromium visitor = browser(390, 844);
        visitor.open(base + "/status");
        visitor.wait.until(d -> d.findElement(By.tagName("main")).getText().contains("Some card payments fail"));
        assertThat(visitor.driver().getPageSource()).doesNotContain(title);
        visitor.script("document.documentElement.dataset.sameDocument = 'yes'");

        WebElement update = alice.wait.until(d -> d.findElements(By.cssSelector("section.publication details.command")).stream()
                .filter(c -> c.findElement(By.tagName("summary")).getText().equals("Post public update")).findFirst().orElse(null));
        update.findElement(By.tagName("summary")).click();
        new Select(update.findElement(By.id("public-update-status"))).selectByValue("identified");
        update.findElement(By.id("public-update-message")).sendKeys("We found the cause and are rolling back.");
        update.findElement(By.cssSelector("button[type=submit]")).click();
        alice.wait.until(d -> d.findElement(By.cssSelector("section.publication .public-status")).getText().equals("identified"));
        alice.wait.until(d -> d.findElement(By.cssSelector(".timeline")).getText()
                .contains("Public update, identified: We found the cause and are rolling back."));
        assertThat(alice.find(".timeline").getText()).contains("Published on the status page (investigating, minor impact): Some card payments fail");
        visitor.wait.until(d -> d.findElement(By.tagName("main")).getText().contains("We found the cause and are rolling back."));
        assertThat(visitor.script("return document.documentElement.dataset.sameDocument")).as("shown without a reload").isEqualTo("yes");
        visitor.screenshot("status-page-published");
        assertThat(visitor.accessibilityViolations()).as("the public status page").isEmpty();
        assertThat(visitor.consoleErrors()).isEmpty();

        JsonNode publication = incident(id).get("publication");
        assertThat(publication.get("status").asText()).isEqualTo("identified");
        assertThat(publication.get("updates").asInt()).isEqualTo(2);
        assertThat(lastActor(id, "IncidentPublished")).isEqualTo("alice");
        assertThat(lastActor(id, "PublicUpdatePosted")).isEqualTo("alice");
        alice.screenshot("incident-published");
        assertThat(alice.accessibilityViolations()).as("a published incident's page").isEmpty();
        assertThat(alice.consoleErrors()).isEmpty();
    }

    /** Opens a command's form on the incident page, fills its fields (by id) and submits it; waits for the form to close. */
    private static void command(Chromium browser, String summary, Map<String, String> fields) {
        WebElement details = browser.wait.until(d -> d.findElements(By.cssSelector("details.command")).stream()
                .filter(c -> c.findElement(By.tagName("summary")).getText().equals(summary)).findFirst().orElse(null));
        details.findElement(By.tagName("summary")).click();
        fields.forEach((id, value) -> details.findElement(By.id(id)).sendKeys(value));
        details.findElement(By.cssSelector("button[type=submit]")).click();
        browser.wait.until(d -> d.findElements(By.cssSelector("details.command[open]")).isEmpty());
    }

    @Test
    void theIncidentPageOfATenThousandAlertIncidentOpensOnItsLatestEvents() throws Exception {
        // One incident: the default route groups by service and alert name (the summary, for generic alerts).
        String title = "Fleet disk full " + UUID.randomUUID();
        int alerts = 10_000;
        for (int batch = 0; batch < alerts / 1_000; batch++) {
            List<Map<String, Object>> body = new java.util.ArrayList<>();
            for (int i = batch * 1_000; i < (batch + 1) * 1_000; i++) {
                body.add(Map.of("summary", title, "severity", "SEV3", "dedupKey", title + " host-" + i, "labels", Map.of("host", "host-" + i)));
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts")).header("Authorization", "Bearer " + INTEGRATION_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
            // As Alertmanager does: while the engine is behind, a busy source is asked to come back (503), and sends again.
            await("batch " + batch + " taken").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isIn(202, 503);
                return response.statusCode() == 202;
            });
        }
        String id = await("the incident holds every alert").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String found = findIncident(title);
            return found != null && incident(found).get("alertCount").asInt() == alerts ? found : null;
        }, java.util.Objects::nonNull);

        Chromium carol = browser(1280, 900);
        carol.open(base + "/incidents/" + id);
        signIn(carol, RESPONDER);
        carol.wait.until(d -> d.findElement(By.cssSelector(".incident-header")).getText().contains(alerts + " firing of " + alerts));
        carol.wait.until(d -> d.findElements(By.cssSelector("#main li.alert")).size() == 20);
        assertThat(carol.find("section[aria-labelledby=alerts-title] button").getText()).isEqualTo("More alerts");
        // Newest first: a page of the latest events, alerts attached late in the storm, and not the opening far below.
        String latest = carol.wait.until(d -> {
            List<WebElement> items = d.findElements(By.cssSelector(".timeline li"));
            return items.size() >= 100 ? d.findElement(By.cssSelector(".timeline")).getText() : null;
        });
        assertThat(latest).contains("Alert firing: " + title).doesNotContain("Opened: ");
        assertThat(carol.find("section[aria-labelledby=timeline-title] button").getText()).isEqualTo("Older events");

        // A person's action joins the top, live.
        carol.find("section.incident-actions").findElement(By.xpath(".//button[text()='Acknowledge']")).click();
        carol.wait.until(d -> d.findElements(By.cssSelector(".timeline li")).subList(0, 5).stream()
                .anyMatch(item -> item.getText().contains("Acknowledged")));
        carol.screenshot("incident-10000-alerts");
        assertThat(carol.accessibilityViolations()).as("a 10,000-alert incident's page").isEmpty();
        assertThat(carol.consoleErrors()).isEmpty();
        // Resolved, so the other scenarios (the silence preview's scan budget) do not meet its alerts.
        assertThat(respond("/api/v1/incidents/" + id + "/resolve?wait=true", "{}").statusCode()).isEqualTo(200);
    }

    /**
     * A resolved incident's review document, opened on its page: the engine's postmortem rendered
     * (the summary table with the title and service, the response times), and hostile text in the
     * title and a note shown as text: no image, no link.
     */
    @Test
    void aResolvedIncidentsReviewDocumentIsRendered_andHostileTextStaysText() throws Exception {
        String title = "Cart 5xx <img src=x onerror=alert(1)> [x](javascript:alert(1)) " + UUID.randomUUID();
        sendAlert(title);
        String id = await().atMost(Duration.ofSeconds(60)).until(() -> findIncident(title), java.util.Objects::nonNull);
        String service = incident(id).get("service").asText();
        assertThat(respond("/api/v1/incidents/" + id + "/notes?wait=true", "{\"text\": \"**bold** [y](javascript:alert(2)) <b>b</b>\"}")
                .statusCode()).isEqualTo(200);
        assertThat(respond("/api/v1/incidents/" + id + "/resolve?wait=true", "{\"resolution\": \"rolled back\"}").statusCode())
                .isEqualTo(200);

        Chromium alice = browser(1280, 900);
        alice.open(base + "/incidents/" + id);
        signIn(alice, RESPONDER);
        alice.wait.until(d -> d.findElement(By.cssSelector(".incident-header .status")).getText().equals("resolved"));
        alice.find("details.review-document summary").click();
        WebElement document = alice.find("details.review-document .markdown");
        alice.wait.until(d -> document.findElements(By.tagName("table")).size() >= 3);

        assertThat(document.findElement(By.tagName("h3")).getText()).isEqualTo("Post-incident review: " + title + " (" + id + ")");
        List<WebElement> tables = document.findElements(By.tagName("table"));
        assertThat(tables.get(0).getText()).contains("Incident " + id, "Service " + service, "Resolved", "by alice: rolled back");
        assertThat(tables.get(1).getText()).contains("response (time to acknowledge)", "time to resolve");
        assertThat(tables.get(2).getText()).as("the timeline").contains("opened SEV2 on " + service + " (tier core-api): " + title, "note: **bold** [y](javascript:alert(2)) <b>b</b>");
        assertThat(document.findElements(By.cssSelector("img, b"))).as("markup from the incident's text").isEmpty();
        // Never acknowledged: the response target was missed.
        // Emphasis is the writer's (the target missed, the matched runbook's steps not done) and the runbook's own Markdown
        // (config); none comes from the incident's text.
        assertThat(document.findElements(By.tagName("strong"))).as("only the writer's and config's emphasis").extracting(WebElement::getText)
                .startsWith("missed").contains("not done").doesNotContain("bold");
        assertThat(document.findElements(By.tagName("a"))).as("links from the incident's text").isEmpty();
        assertThat(document.getText()).contains("Notifications: not in this document");

        WebElement download = alice.driver.findElement(By.linkText("Download Markdown"));
        assertThat(download.getAttribute("href")).isEqualTo(base + "/api/v1/incidents/" + id + "/postmortem");
        String downloaded = (String) alice.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));""", download.getAttribute("href"));
        assertThat(downloaded).startsWith("# Post-incident review: Cart 5xx \\<img src=x onerror=alert(1)\\> \\[x\\](javascript:alert(1))");
        alice.script("arguments[0].scrollIntoView()", document);
        alice.screenshot("incident-review");
        assertThat(alice.accessibilityViolations()).as("the incident page with its review document").isEmpty();
        // On a phone the document's wide tables scroll sideways in the column, which does not widen the page.
        alice.driver.manage().window().setSize(new Dimension(390, 844));
        alice.wait.until(d -> (Boolean) alice.script("return document.documentElement.scrollWidth <= window.innerWidth"));
        alice.script("arguments[0].scrollIntoView()", document);
        alice.screenshot("incident-review-phone");
        assertThat(alice.accessibilityViolations()).as("the review document on a phone").isEmpty();
        assertThat(alice.consoleErrors()).isEmpty();
    }

    @Test
    void theServicesPageShowsEachServicesSenderUrls_andAnAlertSentToTheShownUrlRaisesItsOpenCountLive() throws Exception {
        Chromium bob = browser(1280, 900);
        bob.open(base + "/services");
        signIn(bob, VIEWER);
        WebElement generic = bob.find("section.service[data-id='checkout'] li.integration[data-id='demo-generic'] input.url");
        List<String> fromApi = new java.util.ArrayList<>();
        JSON.readTree(api("/api/v1/services").body()).get("services").forEach(service -> fromApi.add(service.get("id").asText()));
        assertThat(bob.driver.findElements(By.cssSelector("section.service")).stream().map(s -> s.getAttribute("data-id")).toList())
                .as("every configured service").containsExactlyElementsOf(fromApi).contains("checkout");
        String url = generic.getDomProperty("value");
        assertThat(url).as("the generic receiver, as this browser reaches the engine").isEqualTo(base + "/api/v1/alerts");
        WebElement label = bob.driver.findElement(By.cssSelector("label[for='" + generic.getAttribute("id") + "']"));
        assertThat(label.getText()).contains("Generic JSON");
        assertThat(bob.find("section.service[data-id='checkout']").getText()).contains("Payments default", "Payments room", "Authorization: Bearer")
                .doesNotContain(INTEGRATION_KEY, "stakeholders@example.com", "/hooks/");

        // Sent where the page says, with the demo key: the count goes up without a reload.
        bob.script("window.consoleTestMark = 'still here'");
        int before = openCount(bob);
        String title = "Sent to the shown URL " + UUID.randomUUID();
        sendAlert(url, title, Map.of(), "firing");
        bob.wait.until(d -> openCount(bob) > before);
        assertThat(bob.script("return window.consoleTestMark")).isEqualTo("still here");
        bob.screenshot("services");
        assertThat(bob.accessibilityViolations()).as("the services page").isEmpty();

        // The keyboard reaches the Copy button from the URL's field; it copies, or selects the URL for Ctrl+C.
        generic.click();
        new Actions(bob.driver).sendKeys(Keys.TAB).perform();
        assertThat(bob.driver.switchTo().activeElement().getText()).isEqualTo("Copy");
        new Actions(bob.driver).sendKeys(Keys.ENTER).perform();
        bob.wait.until(d -> d.findElement(By.cssSelector("li.integration[data-id='demo-generic'] [role=status]")).getText()
                .matches("Copied\\.|Selected: press Ctrl\\+C.*"));

        // On a phone: one column, nothing wider than the screen.
        bob.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        bob.wait.until(d -> (Boolean) bob.script("return document.documentElement.scrollWidth <= window.innerWidth"));
        bob.screenshot("services-phone");
        assertThat(bob.accessibilityViolations()).as("the services page on a phone").isEmpty();

        // The count links to the service's open incidents, the new one among them.
        bob.find("section.service[data-id='checkout'] ul.counts a").click();
        bob.wait.until(d -> d.getCurrentUrl().endsWith("/incidents?service=checkout"));
        assertThat(bob.find("#service").getDomProperty("value")).isEqualTo("checkout");
        row(bob, title);
        assertThat(bob.consoleErrors()).isEmpty();
    }

    private static int openCount(Chromium browser) {
        return Integer.parseInt(browser.find("section.service[data-id='checkout'] .open-count").getText());
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

    /** The sign-in link in the latest mail to {@code address} that the local engine's SMTP sink received, or null. */
    private String mailedLink(String address) {
        return engine.sinks().received().stream()
                .filter(mail -> mail.via().equals("e-mail") && mail.text() != null && mail.to().contains(address) && mail.subject().contains("sign-in link"))
                .map(mail -> java.util.regex.Pattern.compile("http\\S+/signin/link\\S+").matcher(mail.text()))
                .filter(java.util.regex.Matcher::find).map(java.util.regex.Matcher::group).reduce((first, last) -> last).orElse(null);
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
        sendAlert(summary, labels, "firing");
    }

    private void sendAlert(String summary, Map<String, String> labels, String status) throws Exception {
        sendAlert(base + "/api/v1/alerts", summary, labels, status);
    }

    private void sendAlert(String url, String summary, Map<String, String> labels, String status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + INTEGRATION_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("summary", summary, "severity", "SEV2",
                        "dedupKey", summary, "labels", labels, "status", status)))).build(), HttpResponse.BodyHandlers.ofString());
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

    /** A POST as the demo responder. */
    private HttpResponse<String> respond(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + RESPONDER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> apiWithCookie(String path, String session) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", "incident_session=" + session).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
