package dev.incidentengine.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; no browser is
 * downloaded), with what the console's tests check in every page: the browser console's errors,
 * axe-core's accessibility violations, and a screenshot under {@code target/console-screenshots}.
 * The console's browser tests and {@code ./bench/console} share it; a user of it declares the
 * Selenium dependencies (optional here, so other tests do not carry them) and, for the
 * accessibility check, axe-core's WebJar.
 */
public final class Chromium implements AutoCloseable {

    private static final Path BROWSER = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("chromium.driver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final String AXE = "META-INF/resources/webjars/axe-core/" + System.getProperty("axe.version", "4.6.3") + "/axe.min.js";

    public final ChromeDriver driver;
    public final WebDriverWait wait;
    private final List<String> consoleErrors = new ArrayList<>();

    public Chromium(Path profile, int width, int height) {
        this(profile, width, height, "UTC");
    }

    /** A browser whose local time zone is {@code zone} (its process's {@code TZ}). */
    public Chromium(Path profile, int width, int height, String zone) {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("The console's browser tests need Debian's Chromium and its driver ("
                    + BROWSER + ", " + DRIVER + "): apt-get install -y --no-install-recommends chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--user-data-dir=" + profile.toAbsolutePath(),
                "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                .withEnvironment(Map.of("TZ", zone)).build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        // The console draws live parts again as changes arrive: an element found a moment ago may be gone.
        wait.ignoring(StaleElementReferenceException.class);
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public Object asyncScript(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Errors the page wrote to the browser's console since the last call (and every earlier one). */
    public List<String> consoleErrors() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                consoleErrors.add(entry.getMessage());
            }
        }
        return List.copyOf(consoleErrors);
    }

    /** axe-core's serious and critical violations on the page as it is now: rule id and the elements it found. */
    @SuppressWarnings("unchecked")
    public List<String> accessibilityViolations() {
        if (!(Boolean) script("return typeof window.axe !== 'undefined'")) {
            script(axeSource());
        }
        Map<String, Object> results = (Map<String, Object>) asyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']}).then(r => done(r), e => done({error: String(e)}));");
        if (results.containsKey("error")) {
            throw new IllegalStateException("axe-core failed: " + results.get("error"));
        }
        List<String> serious = new ArrayList<>();
        for (Map<String, Object> violation : (List<Map<String, Object>>) results.get("violations")) {
            String impact = String.valueOf(violation.get("impact"));
            if (impact.equals("serious") || impact.equals("critical")) {
                List<String> targets = ((List<Map<String, Object>>) violation.get("nodes")).stream()
                        .map(node -> String.valueOf(node.get("target"))).toList();
                serious.add(violation.get("id") + " (" + impact + "): " + violation.get("help") + " " + targets);
            }
        }
        return serious;
    }

    private static String axeSource() {
        try (InputStream in = Chromium.class.getClassLoader().getResourceAsStream(AXE)) {
            if (in == null) {
                throw new IllegalStateException(AXE + " is not on the class path (org.webjars.npm:axe-core)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Saves what the browser shows as {@code target/console-screenshots/<name>.png}, for a reviewer to look at. */
    public void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    public WebDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
