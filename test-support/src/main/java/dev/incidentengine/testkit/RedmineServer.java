package dev.incidentengine.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redmine for tests: Debian's {@code redmine} package (5.0) served by WEBrick on a free loopback port, on a copy of
 * the package's pristine sqlite database in a directory of the test's own, so nothing under {@code /etc} or {@code /var} is
 * changed and two test JVMs do not share data. Before the server starts, one {@code bin/rails runner} script
 * ({@code redmine/setup.rb}) enables the REST API, creates the project {@code ops}, the issue custom field "Incident"
 * (string, for all trackers and projects, filterable) and a person, {@code alice}, a Manager of the project; the API keys
 * of {@code admin} (the connector's user in tests) and of alice are read from its output.
 *
 * <p>Rails is pointed at the copy with {@code DATABASE_URL}, which overrides the package's {@code database.yml}; logs go to
 * {@code redmine.log} in the directory ({@code RAILS_LOG_TO_STDOUT}), the pid file too. {@link #close()} stops the server
 * and every process it started. Starting takes about 6 s for the setup script and 6 s for the server on a 2-core machine.
 *
 * <p>Tests use it through {@link WithRedmine}: skipped where Redmine is not installed, unless {@value #REQUIRED_ENV}=1 (CI),
 * where a missing Redmine fails them.
 */
public final class RedmineServer implements AutoCloseable {

    /** Set to 1 where Redmine must be there (CI): tests that need it then fail instead of being skipped. */
    public static final String REQUIRED_ENV = "REDMINE_REQUIRED";
    public static final Path HOME = Path.of(System.getProperty("redmine.home", "/usr/share/redmine"));
    public static final Path PRISTINE_DATABASE = Path.of(System.getProperty("redmine.database",
            "/var/lib/dbconfig-common/sqlite3/redmine/instances/default/redmine_default"));
    /** The person who works on the project's issues in Redmine's web pages, as opposed to the connector. */
    public static final String ALICE = "alice";
    private static final String ALICE_PASSWORD = "alice-password-1";
    private static final Duration STARTUP = Duration.ofSeconds(180);
    private static final Logger LOG = LoggerFactory.getLogger(RedmineServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path directory;
    private final String url;
    private final JsonNode setup;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpClient alicesBrowser;

    private RedmineServer(Process process, Path directory, String url, JsonNode setup) {
        this.process = process;
        this.directory = directory;
        this.url = url;
        this.setup = setup;
    }

    /** Why Redmine cannot run here, or null when it can. */
    public static String missing() {
        if (!Files.isRegularFile(HOME.resolve("bin/rails"))) {
            return "Redmine is not installed (" + HOME + "): apt-get install -y --no-install-recommends redmine redmine-sqlite"
                    + " ruby-webrick, and add gem \"webrick\" to " + HOME.resolve("Gemfile.local") + " (see .ci/run)";
        }
        if (!Files.isReadable(PRISTINE_DATABASE) || !Files.isReadable(HOME.resolve("config/database.yml"))) {
            return "Redmine's database " + PRISTINE_DATABASE + " or configuration is not readable by this user (root or www-data)";
        }
        return null;
    }

    /**
     * A Redmine to try the ticketing connector with by hand ({@code ./bench/redmine DIR}): set up as for the tests, in
     * {@code DIR}, running until Ctrl-C. Prints where it is and the keys.
     */
    public static void main(String[] args) throws Exception {
        RedmineServer redmine = start(Path.of(args.length > 0 ? args[0] : ".local/redmine").toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(redmine::close, "redmine-stop"));
        System.out.printf("Redmine at %s (admin/admin in the browser; alice/%s works on the project)%n"
                + "  API key of the admin (the connector's): %s%n  API key of alice: %s%n  project %s, custom field \"Incident\" (id %d)%n"
                + "Press Ctrl-C to stop.%n", redmine.url(), ALICE_PASSWORD, redmine.adminKey(), redmine.aliceKey(), redmine.project(),
                redmine.incidentFieldId());
        redmine.process.waitFor();
    }

    /** Prepares a fresh database in {@code directory} and starts a server on it; returns once it answers its API. */
    public static RedmineServer start(Path given) throws IOException {
        Path directory = given.toAbsolutePath(); // Rails runs in Redmine's directory
        String missing = missing();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        long started = System.nanoTime();
        Files.createDirectories(directory);
        Path database = directory.resolve("redmine.sqlite3");
        Files.copy(PRISTINE_DATABASE, database, StandardCopyOption.REPLACE_EXISTING);
        Path script = directory.resolve("setup.rb");
        try (InputStream in = RedmineServer.class.getResourceAsStream("/redmine/setup.rb")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = directory.resolve("redmine.log");
        Process runner = rails(database, log, List.of("runner", script.toString()));
        JsonNode setup;
        try {
            if (!runner.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS) || runner.exitValue() != 0) {
                stopTree(runner);
                throw new IllegalStateException("Redmine's setup script failed; its log:\n" + tail(log));
            }
            String line = Files.readAllLines(log).stream().filter(l -> l.startsWith("REDMINE-SETUP ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("Redmine's setup script printed nothing; its log:\n" + tail(log)));
            setup = JSON.readTree(line.substring("REDMINE-SETUP ".length()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopTree(runner);
            throw new IllegalStateException(e);
        }
        long setupDone = System.nanoTime();
        int port = TopicContents.freePort();
        Process server = rails(database, log, List.of("server", "-u", "webrick", "-b", "127.0.0.1", "-p", String.valueOf(port),
                "-P", directory.resolve("server.pid").toString()));
        RedmineServer redmine = new RedmineServer(server, directory, "http://127.0.0.1:" + port, setup);
        try {
            Awaitility.await("Redmine answering on port " + port).atMost(STARTUP).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!server.isAlive()) {
                            throw new IllegalStateException("Redmine's server exited with " + server.exitValue() + "; its log:\n" + tail(log));
                        }
                        return redmine.answers();
                    });
        } catch (RuntimeException e) {
            redmine.close();
            throw e;
        }
        LOG.info("Redmine {} ready: setup {} ms, server {} ms", redmine.url, (setupDone - started) / 1_000_000,
                (System.nanoTime() - setupDone) / 1_000_000);
        return redmine;
    }

    private static Process rails(Path database, Path log, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of("ruby", "bin/rails")));
        builder.command().addAll(command);
        builder.directory(HOME.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("RAILS_ENV", "production");
        // sqlite allows one writer: requests wait for the lock (Redmine's mail jobs write too) instead of failing at once.
        env.put("DATABASE_URL", "sqlite3:" + database.toAbsolutePath() + "?timeout=15000");
        env.put("RAILS_LOG_TO_STDOUT", "1");
        return builder.start();
    }

    private boolean answers() {
        try {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/users/current.json"))
                    .header("X-Redmine-API-Key", adminKey()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    public String url() {
        return url;
    }

    /** The API key of {@code admin}, Redmine's administrator. */
    public String adminKey() {
        return setup.get("admin_key").asText();
    }

    /** The API key of {@link #ALICE}, a Manager of the project. */
    public String aliceKey() {
        return setup.get("alice_key").asText();
    }

    /** The id of the issue custom field "Incident". */
    public int incidentFieldId() {
        return setup.get("incident_field_id").asInt();
    }

    /** The project's identifier, {@code ops}. */
    public String project() {
        return setup.get("project").asText();
    }

    /** Where the database and log are. */
    public Path directory() {
        return directory;
    }

    /**
     * A page of Redmine's web interface ({@code /issues/1}) as alice's browser gets it: the HTML Redmine renders, to check what
     * a person would see. Logs her in through the login form the first time.
     */
    public synchronized String page(String path) throws IOException, InterruptedException {
        if (alicesBrowser == null) {
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            String form = browser.send(HttpRequest.newBuilder(URI.create(url + "/login")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher token = Pattern.compile("name=\"authenticity_token\" value=\"([^\"]+)\"").matcher(form);
            if (!token.find()) {
                throw new IllegalStateException("no authenticity token in Redmine's login form");
            }
            String body = "authenticity_token=" + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8) + "&username=" + ALICE
                    + "&password=" + ALICE_PASSWORD;
            HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(url + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (login.statusCode() != 302 || login.headers().firstValue("Location").orElse("").contains("/login")) {
                throw new IllegalStateException("alice could not log in to Redmine: HTTP " + login.statusCode());
            }
            alicesBrowser = browser;
        }
        HttpResponse<String> page = alicesBrowser.send(HttpRequest.newBuilder(URI.create(url + path)).build(), HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + page.statusCode());
        }
        return page.body();
    }

    @Override
    public void close() {
        stopTree(process);
    }

    /** TERM to the process and everything it started, KILL to what is still there after 10 s. */
    private static void stopTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
