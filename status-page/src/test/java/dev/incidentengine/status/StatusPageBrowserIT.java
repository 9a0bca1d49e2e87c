package dev.incidentengine.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.status.domain.PageEvents;
import dev.incidentengine.testkit.Chromium;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public page in real headless Chromium, on a phone's screen and a desktop's: 90 uptime bars per
 * component with a label per day, the history, a newly written incident shown within 2 s without a
 * reload, no errors in the browser's console (a CSP violation would be one) and no serious
 * accessibility violations (axe-core). Screenshots go to {@code target/console-screenshots}.
 */
@WithKafka
class StatusPageBrowserIT {

    @TempDir
    Path dir;

    @Test
    void thePageShowsUptimeBarsHistoryAndANewIncidentWithinTwoSecondsWithoutAReload(KafkaTestCluster kafka) throws Exception {
        Topic<String, StatusPageEvent> topic = kafka.createTopic(Topics.STATUS_PAGE);
        PageEvents log = new PageEvents("public");
        Instant now = Instant.now();
        log.configured(now.minus(Duration.ofDays(40)), "Acme", "America/New_York", "api", "API", null, "eu", "EU", "Regions", "us", "US",
                "Regions");
        Instant outage = now.minus(Duration.ofDays(5));
        log.status(outage, "api", ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE);
        log.incident(outage, "old-1", "Slow API", PublicImpact.MINOR, PublicIncidentStatus.INVESTIGATING, outage, "Looking into it", List.of("api"));
        log.status(outage.plus(Duration.ofHours(3)), "api", ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.OPERATIONAL);
        log.incident(outage.plus(Duration.ofHours(3)), "old-1", "Slow API", PublicImpact.MINOR, PublicIncidentStatus.RESOLVED, outage, "Fixed",
                List.of("api"));
        log.maintenance(now, "m-1", "Database upgrade", MaintenanceStatus.SCHEDULED, now.plus(Duration.ofDays(2)),
                now.plus(Duration.ofDays(2)).plus(Duration.ofHours(1)), "Planned upgrade", List.of("eu"));
        write(kafka, topic, log.written());

        try (SiteHarness site = new SiteHarness(kafka, topic, dir.resolve("state"), Map.of()).awaitReady();
             Chromium phone = new Chromium(Files.createTempDirectory(dir, "phone"), 390, 844);
             Chromium desktop = new Chromium(Files.createTempDirectory(dir, "desktop"), 1280, 900)) {
            phone.open(site.base() + "/status");
            assertThat(phone.find(".banner").getText()).isEqualTo("All Systems Operational");
            List<WebElement> bars = phone.driver.findElements(By.cssSelector("ol.bars"));
            assertThat(bars).hasSize(3);
            for (WebElement component : bars) {
                assertThat(component.findElements(By.cssSelector("li.bar"))).hasSize(90);
            }
            List<WebElement> apiBars = bars.get(0).findElements(By.cssSelector("li.bar"));
            assertThat(apiBars.get(89).getAttribute("title")).matches("[A-Z][a-z]{2} \\d{1,2}, \\d{4}: 100\\.00 % uptime");
            assertThat(apiBars.get(0).getAttribute("title")).endsWith(": no data");
            assertThat(apiBars.stream().filter(bar -> bar.getAttribute("class").contains("bar-partial-outage")).count()).isBetween(1L, 2L);
            assertThat(phone.driver.findElement(By.cssSelector(".history")).getText()).contains("Slow API", "No incidents reported.");
            assertThat(phone.driver.findElement(By.cssSelector(".maintenances")).getText()).contains("Database upgrade");
            phone.screenshot("status-phone");
            assertThat(phone.accessibilityViolations()).as("the status page").isEmpty();

            desktop.open(site.base() + "/status");
            desktop.find(".banner");
            desktop.script("window.statusTestMark = 'still here'");
            WebDriverWait quick = new WebDriverWait(desktop.driver, Duration.ofSeconds(10), Duration.ofMillis(50));

            String title = "Checkout failing " + now.toEpochMilli();
            Instant at = Instant.now();
            write(kafka, topic, List.of(
                    log.incident(at, "new-1", title, PublicImpact.MAJOR, PublicIncidentStatus.INVESTIGATING, at, "We are investigating", List.of("eu")),
                    log.status(at, "eu", ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE)));
            long written = System.nanoTime();
            quick.until(driver -> driver.findElements(By.cssSelector("#active-incidents ~ .incident .incident-title")).stream()
                    .anyMatch(element -> element.getText().equals(title)));
            long shownAfterMs = (System.nanoTime() - written) / 1_000_000;

            assertThat(shownAfterMs).as("the new incident shown after %d ms", shownAfterMs).isLessThan(2_000);
            assertThat(desktop.script("return window.statusTestMark")).as("no reload").isEqualTo("still here");
            assertThat(desktop.find(".banner").getText()).isEqualTo("Partial System Outage");
            desktop.screenshot("status-desktop-incident");
            assertThat(desktop.accessibilityViolations()).as("the status page with an incident").isEmpty();

            desktop.open(site.base() + "/status/history");
            assertThat(desktop.driver.findElements(By.cssSelector(".history .day"))).hasSize(90);
            assertThat(desktop.find(".history").getText()).contains("Slow API", title);
            desktop.screenshot("status-history");
            assertThat(desktop.accessibilityViolations()).as("the history page").isEmpty();

            assertThat(phone.consoleErrors()).isEmpty();
            assertThat(desktop.consoleErrors()).isEmpty();
        }
    }

    private static void write(KafkaTestCluster kafka, Topic<String, StatusPageEvent> topic, List<StatusPageEvent> events) {
        kafka.produce(topic, events.stream().map(event -> Map.entry(event.getPageId(), event)).toList());
    }
}
