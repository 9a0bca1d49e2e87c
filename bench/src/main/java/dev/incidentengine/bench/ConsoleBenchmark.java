package dev.incidentengine.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.escalation.EscalationTopology;
import dev.incidentengine.incident.IncidentTopology;
import dev.incidentengine.incident.query.IncidentQueryTopology;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.notifier.NotifierTopology;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.Chromium;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.openqa.selenium.ScriptTimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.deleteRecursively;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * The web console in real headless Chromium against the local engine (all four services, in a JVM
 * of its own) holding {@code --open} open and {@code --closed} resolved incidents, written to the
 * topics before it starts ({@link IncidentHistory}). Measured in the browser with the Performance
 * API: a script installed before any of the page's own (Chrome DevTools' "evaluate on new
 * document") stamps, with a MutationObserver, when the first incident row and the first timeline
 * entry enter the page and when the browser renders the frame after; resource timing gives the
 * API call the page waits for and what it transferred. Page loads: the first after the engine's start in a browser with an
 * empty cache (cold), then {@code --loads} of each page (warm). Live: with the list open in one
 * browser and an incident in another, new incidents, their acknowledgements and notes are written
 * to {@code incident.events.v1} at {@code --event-rate}, each timed from its write until the page
 * shows it, against a plain read_committed consumer of the same events. The browsers start and
 * sign in before anything is timed.
 */
@Command(name = "console-benchmark", mixinStandardHelpOptions = true)
public final class ConsoleBenchmark implements Callable<Integer> {

    @Option(names = "--open", defaultValue = "10000", description = "Open incidents in the history (default ${DEFAULT-VALUE}).")
    int open;

    @Option(names = "--closed", defaultValue = "100000", description = "Resolved incidents in the history (default ${DEFAULT-VALUE}).")
    int closed;

    @Option(names = "--loads", defaultValue = "20", description = "Warm loads of each page (default ${DEFAULT-VALUE}).")
    int loads;

    @Option(names = "--event-rate", defaultValue = "25",
            description = "Events per second in the live phase: two fifths new incidents, two fifths their acknowledgements a second "
                    + "later, a fifth notes on the open incident page (default ${DEFAULT-VALUE}).")
    int eventRate;

    @Option(names = "--event-seconds", defaultValue = "30",
            description = "Seconds of new incidents and notes in the live phase (default ${DEFAULT-VALUE}).")
    int eventSeconds;

    @Option(names = "--engine-jvm-options", defaultValue = BenchSupport.LOCAL_ENGINE_JVM_OPTIONS,
            description = "JVM options of the local engine (default '${DEFAULT-VALUE}', as ./incident-engine runs it).")
    String engineJvmOptions;

    @Option(names = "--config-dir", defaultValue = "deploy/local",
            description = "The local engine's configuration, whose secrets/api-tokens.yaml has the token below (default ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--token", defaultValue = "demo-responder-token-change-me",
            description = "The API token the browsers sign in with (default ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--keep-data-dir", description = "Keep the run's directory after a successful run.")
    boolean keepDataDir;

    /** How long a page may take to show what is measured before the load counts as failed. */
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ACK_AFTER = Duration.ofSeconds(1);
    private static final Duration LIVE_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern EARLY_READ =
            Pattern.compile("/api/v1/incidents/INC-\\d+ - Failed to load resource: the server responded with a status of 404");

    /**
     * Installed in every document before its own scripts: stamps when rows, acknowledged rows,
     * timeline entries and the live feed first appear (a MutationObserver, no polling), the frame
     * after the first row and the first timeline entry, and each change feed message's arrival (the
     * page's EventSource, with a listener added first). Load marks are milliseconds since the
     * navigation started; live stamps are epoch milliseconds ({@code timeOrigin + now}).
     */
    private static final String PROBE = """
            (() => {
              if (window.__bench) return;
              const marks = {}, waiters = [], rows = {}, acks = {}, timeline = {}, feed = [];
              const mark = (name, t) => {
                if (name in marks) return;
                marks[name] = t;
                for (let i = waiters.length - 1; i >= 0; i--) {
                  if (waiters[i].name === name) waiters.splice(i, 1)[0].done();
                }
              };
              const markAndFrame = (name, t) => {
                if (name in marks) return;
                mark(name, t);
                requestAnimationFrame(() => mark(name + 'Frame', performance.now()));
              };
              const scan = () => {
                const t = performance.now(), epoch = performance.timeOrigin + t;
                const trs = document.querySelectorAll('table.incidents tbody tr[data-id]');
                if (trs.length) markAndFrame('row', t);
                for (const tr of trs) {
                  const id = tr.dataset.id;
                  if (!(id in rows)) rows[id] = epoch;
                  if (!(id in acks) && tr.querySelector('.status-acknowledged')) acks[id] = epoch;
                }
                const items = document.querySelectorAll('ol.timeline li[data-sequence]');
                if (items.length) markAndFrame('timeline', t);
                for (const li of items) {
                  if (!(li.dataset.sequence in timeline)) timeline[li.dataset.sequence] = epoch;
                }
                if (document.querySelector('#feed-status.feed-live')) mark('live', t);
              };
              new MutationObserver(scan).observe(document, {childList: true, subtree: true});
              const Native = window.EventSource;
              window.EventSource = class extends Native {
                constructor(url, init) {
                  super(url, init);
                  this.addEventListener('message', message => {
                    const epoch = performance.timeOrigin + performance.now();
                    const change = JSON.parse(message.data);
                    feed.push([change.incidentId, change.sequence, epoch]);
                  });
                }
              };
              const entry = e => ({name: e.name, start: e.startTime, end: e.responseEnd, transfer: e.transferSize, decoded: e.decodedBodySize,
                status: e.responseStatus});
              window.__bench = {
                when: (name, done) => name in marks ? done() : waiters.push({name, done}),
                load: () => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  return {marks, document: entry(nav), domContentLoaded: nav.domContentLoadedEventEnd, loaded: nav.loadEventEnd,
                    resources: performance.getEntriesByType('resource').map(entry)};
                },
                live: () => ({rows, acks, timeline, feed}),
              };
            })();
            """;

    private final Map<String, String> failures = new LinkedHashMap<>();
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private String bootstrap;
    private IncidentHistory history;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConsoleBenchmark()).execute(args));
    }

    /** The checks that failed in the last run (not the performance targets). */
    Map<String, String> failures() {
        return failures;
    }

    @Override
    public Integer call() throws Exception {
        Path tokens = configDir.resolve("secrets").resolve("api-tokens.yaml");
        if (!Files.isRegularFile(tokens)) {
            throw new IllegalArgumentException("no API tokens at " + tokens + ": --config-dir names the local engine's configuration");
        }
        Path dir = Files.createTempDirectory("console-bench");
        KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
        broker.start(Duration.ofSeconds(60));
        bootstrap = broker.bootstrapServers();
        EngineProcess engine = null;
        List<Chromium> browsers = new ArrayList<>();
        boolean succeeded = false;
        try {
            try (Admin admin = admin()) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            report("machine: %d cores, %s, Java %s, load average %s", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("java.version"), BenchSupport.loadAverage());
            history = new IncidentHistory(open + closed, open);
            long loadStart = System.nanoTime();
            long records = history.write(bootstrap);
            report("history: %,d open and %,d resolved incidents, %,d records written in %.1f s", open, closed, records,
                    (System.nanoTime() - loadStart) / 1e9);

            engine = startEngine(dir, tokens);
            // Outside every timing: the browsers' own start, and signing in (a page of JSON; none of the console's assets).
            Chromium list = browser(dir, "list");
            browsers.add(list);
            Chromium page = browser(dir, "incident");
            browsers.add(page);
            String base = engine.baseUrl();
            signIn(list, base);
            signIn(page, base);
            // The page of JSON signed in on asks for /favicon.ico, which is not there: only the console's own errors count.
            Map<Chromium, Integer> errorsBefore = Map.of(list, list.consoleErrors().size(), page, page.consoleErrors().size());

            Random random = new Random(16);
            Load coldList = load(list, base + "/incidents", "row", "/api/v1/incidents?");
            String coldId = IncidentHistory.id(random.nextInt(history.incidents()));
            Load coldIncident = load(page, base + "/incidents/" + coldId, "timeline", "/api/v1/incidents/" + coldId + "/events");
            report("cold: first row %.0f ms (list call answered at %.0f ms); incident page's timeline %.0f ms (events call answered at %.0f ms); "
                    + "console %,d bytes (%,d on the wire) in %d files", coldList.shown, coldList.apiEnd, coldIncident.shown, coldIncident.apiEnd,
                    coldList.consoleDecoded, coldList.consoleTransfer, coldList.consoleFiles);
            List<Load> warmLists = new ArrayList<>();
            List<Load> warmIncidents = new ArrayList<>();
            for (int round = 0; round < loads; round++) {
                warmLists.add(load(list, base + "/incidents", "row", "/api/v1/incidents?"));
                String id = IncidentHistory.id(random.nextInt(history.incidents()));
                warmIncidents.add(load(list, base + "/incidents/" + id, "timeline", "/api/v1/incidents/" + id + "/events"));
            }
            Load warmList = warmLists.get(warmLists.size() - 1);
            report("warm: %d loads of each page; first row p50 %.0f ms, incident timeline p50 %.0f ms", loads,
                    percentile(warmLists, l -> l.shown, 50), percentile(warmIncidents, l -> l.shown, 50));

            Live live = live(list, page, base, random);

            long early = 0;
            for (Chromium browser : browsers) {
                List<String> all = browser.consoleErrors();
                List<String> errors = new ArrayList<>(all.subList(errorsBefore.get(browser), all.size()));
                // The browser logs every 404; these are the list reading a new incident before the read side has it (it reads again).
                early += errors.stream().filter(EARLY_READ.asPredicate()).count();
                errors.removeIf(EARLY_READ.asPredicate());
                if (!errors.isEmpty()) {
                    failures.put("errors in the browser's console", errors.toString());
                }
            }
            report("the list read %d of the live phase's incidents before the read side had them (404, read again)", early);
            printTables(coldList, coldIncident, warmLists, warmIncidents, warmList, live);
            report("load average at the end: %s", BenchSupport.loadAverage());
            failures.forEach((check, detail) -> report("FAILED %s: %s", check, detail));
            succeeded = failures.isEmpty();
            return succeeded ? 0 : 1;
        } finally {
            browsers.forEach(Chromium::close);
            if (engine != null) {
                engine.close();
            }
            broker.close();
            if (succeeded && !keepDataDir) {
                deleteRecursively(dir);
            } else {
                report("run directory kept: %s", dir);
            }
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    // ---- the engine and the browsers

    /**
     * The local engine on our broker, with a configuration that holds only the API tokens: no
     * service, channel or policy, so the history is news to no one (the example's stakeholder list
     * would get an e-mail for each of its incidents). Returns once ready and every group that reads
     * the incidents' log (the read side, escalations, the notifier) has taken the history in.
     */
    private EngineProcess startEngine(Path dir, Path tokens) throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("secrets"));
        Files.copy(tokens, config.resolve("secrets").resolve("api-tokens.yaml"));
        List<String> arguments = List.of("--bootstrap-servers", bootstrap, "--config-dir", config.toString(),
                "--data-dir", dir.resolve("engine-data").toString(), "--sink-port", "0", "--smtp-port", "0");
        List<String> jvmOptions = Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        long begin = System.nanoTime();
        EngineProcess engine = EngineProcess.startLocalEngine(dir.resolve("engine"), jvmOptions, arguments, freePort());
        try {
            engine.awaitReady(Duration.ofMinutes(10));
            double ready = (System.nanoTime() - begin) / 1e9;
            List<String> events = List.of(Topics.INCIDENT_EVENTS.name());
            try (Admin admin = admin()) {
                BenchSupport.awaitCaughtUp(admin, engine, Map.of(
                        IncidentQueryTopology.applicationId(IncidentTopology.APPLICATION_ID),
                        List.of(Topics.INCIDENT_EVENTS.name(), Topics.INCIDENT_STATE.name()),
                        EscalationTopology.APPLICATION_ID, events,
                        NotifierTopology.APPLICATION_ID, events), "the engine's start");
            }
            report("the local engine (pid %d, JVM options %s): ready in %.1f s, history taken in after %.1f s, RSS %,d MiB; its log: %s",
                    engine.pid(), jvmOptions, ready, (System.nanoTime() - begin) / 1e9, engine.rssKb() / 1024, engine.log());
            return engine;
        } catch (Exception | Error e) {
            engine.close();
            throw e;
        }
    }

    /** A new headless Chromium with an empty profile (so an empty cache) and the probe in every page it opens. */
    private static Chromium browser(Path dir, String name) throws Exception {
        Chromium browser = new Chromium(Files.createDirectories(dir.resolve("browser-" + name)), 1280, 900);
        browser.driver.manage().timeouts().scriptTimeout(PAGE_TIMEOUT);
        browser.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
        return browser;
    }

    /** Signs in as the sign-in page does (the same request, from this origin), on a page that loads none of the console. */
    private void signIn(Chromium browser, String base) {
        browser.open(base + "/console/session");
        Object status = browser.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/console/session', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({token: arguments[0]})})
                  .then(r => done(r.status), e => done(String(e)));
                """, token);
        if (!Long.valueOf(200).equals(status)) {
            throw new IllegalStateException("signing in answered " + status);
        }
    }

    // ---- page loads

    /**
     * One page load: when the measured element (first row, first timeline entry) entered the page
     * and the frame after, in ms since the navigation started; the API call it waits for (start,
     * answered); the document's arrival; and the bytes of the console's own requests (the document and
     * /console/...: its files and the session's answer) and of the API's answers so far, decoded and on the wire (with headers; a
     * revalidated file costs its headers only).
     */
    private record Load(double shown, double frame, double apiStart, double apiEnd, double documentEnd, double loaded,
                        long consoleDecoded, long consoleTransfer, int consoleFiles, long apiDecoded, long apiTransfer) {
    }

    @SuppressWarnings("unchecked")
    private Load load(Chromium browser, String url, String mark, String apiCall) {
        browser.open(url);
        Map<String, Object> load;
        try {
            load = (Map<String, Object>) browser.asyncScript("""
                    const done = arguments[arguments.length - 1];
                    __bench.when(arguments[0] + 'Frame', () => done(__bench.load()));
                    """, mark);
        } catch (ScriptTimeoutException e) {
            throw new IllegalStateException(url + " showed no " + mark + " within " + PAGE_TIMEOUT.toSeconds() + " s; the page says: "
                    + browser.script("return document.getElementById('notice').textContent + ' | ' + document.getElementById('main').textContent")
                    + "; its requests: " + browser.script("return __bench.load().resources.map(r => r.status + ' ' + r.name)"));
        }
        Map<String, Object> marks = (Map<String, Object>) load.get("marks");
        Map<String, Object> document = (Map<String, Object>) load.get("document");
        long consoleDecoded = number(document, "decoded").longValue();
        long consoleTransfer = number(document, "transfer").longValue();
        int consoleFiles = 1;
        long apiDecoded = 0;
        long apiTransfer = 0;
        double apiStart = Double.NaN;
        double apiEnd = Double.NaN;
        for (Map<String, Object> resource : (List<Map<String, Object>>) load.get("resources")) {
            String path = URI.create((String) resource.get("name")).getRawPath();
            String pathAndQuery = path + (((String) resource.get("name")).contains("?") ? "?" : "");
            if (path.startsWith("/console/")) {
                consoleDecoded += number(resource, "decoded").longValue();
                consoleTransfer += number(resource, "transfer").longValue();
                consoleFiles++;
            } else if (path.startsWith("/api/")) {
                if (!Long.valueOf(200).equals(resource.get("status"))) {
                    failures.merge("API answers in page loads", resource.get("status") + " " + path, (a, b) -> a + ", " + b);
                }
                apiDecoded += number(resource, "decoded").longValue();
                apiTransfer += number(resource, "transfer").longValue();
                if (Double.isNaN(apiStart) && pathAndQuery.startsWith(apiCall)) {
                    apiStart = number(resource, "start").doubleValue();
                    apiEnd = number(resource, "end").doubleValue();
                }
            }
        }
        return new Load(number(marks, mark).doubleValue(), number(marks, mark + "Frame").doubleValue(), apiStart, apiEnd,
                number(document, "end").doubleValue(), number(load, "loaded").doubleValue(), consoleDecoded, consoleTransfer, consoleFiles,
                apiDecoded, apiTransfer);
    }

    private static Number number(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (!(value instanceof Number number)) {
            throw new IllegalStateException("the page's measurement has no " + key + ": " + map);
        }
        return number;
    }

    private static double percentile(List<Load> loads, ToDoubleFunction<Load> value, double percentile) {
        double[] sorted = loads.stream().mapToDouble(value).sorted().toArray();
        return sorted[Math.max(0, (int) Math.ceil(percentile / 100 * sorted.length) - 1)];
    }

    // ---- live

    private enum Kind { OPEN, ACK, NOTE }

    /** An event due {@code at} nanoseconds into the phase: incident {@code n} of the phase opens or is acknowledged, or note {@code n}. */
    private record Planned(long at, Kind kind, int n) {
    }

    /** The browser's clock minus this JVM's (epoch ms), measured across a round trip of {@code roundTripMs}. */
    private record Clock(double offsetMs, double roundTripMs) {
    }

    private record Live(Map<Kind, Histogram> shown, Histogram all, Histogram feed, Histogram raw, long written, long missing,
                        Clock listClock, Clock pageClock, double drift) {
    }

    /**
     * The list in one browser and an open incident in the other, both live; then new incidents at two
     * fifths of {@code --event-rate}, each acknowledged a second later, and notes on the open
     * incident at a fifth, written to {@code incident.events.v1} (and the state after each, as the
     * aggregate does) on time whatever the engine does. Each event is timed from when it was due
     * until the page showed it (its row, its row's status, its timeline entry), until the browser's
     * change feed had it, and until a plain read_committed consumer read it.
     */
    @SuppressWarnings("unchecked")
    private Live live(Chromium list, Chromium page, String base, Random random) throws Exception {
        int watched;
        do {
            watched = random.nextInt(history.incidents());
        } while (!history.staysOpen(watched));
        String watchedId = IncidentHistory.id(watched);
        for (var open : List.of(Map.entry(list, base + "/incidents"), Map.entry(page, base + "/incidents/" + watchedId))) {
            open.getKey().open(open.getValue());
            open.getKey().asyncScript("const done = arguments[arguments.length - 1]; __bench.when('live', done);");
        }
        List<Planned> plan = plan();
        Map<String, Long> dueByEvent = new ConcurrentHashMap<>();
        Histogram raw = histogram();
        RawReader reader = new RawReader(dueByEvent, raw);
        reader.start();

        Clock listBefore = clock(list);
        Clock pageBefore = clock(page);
        Map<Integer, IncidentHistory.Incident> opened = new HashMap<>();
        IncidentHistory.Incident watchedIncident = history.incident(watched);
        long begin = System.nanoTime();
        double beginEpochMs = epochMs();
        try (KafkaProducer<byte[], byte[]> producer = BenchSupport.producer(bootstrap, 0)) {
            for (Planned planned : plan) {
                long due = begin + planned.at;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Instant now = Instant.now();
                IncidentHistory.Incident incident = switch (planned.kind) {
                    case OPEN -> history.opened(history.incidents() + planned.n, now);
                    case ACK -> history.then(opened.get(planned.n), new IncidentAcknowledged("on it"), "alice", now);
                    case NOTE -> watchedIncident = history.then(watchedIncident, new NoteAdded("bench note " + planned.n), "alice", now);
                };
                if (planned.kind != Kind.NOTE) {
                    opened.put(planned.n, incident);
                }
                int last = incident.events().size() - 1;
                dueByEvent.put(incident.events().get(last).getEventId(), due);
                for (ProducerRecord<byte[], byte[]> record : history.records(incident, last)) {
                    producer.send(record);
                }
            }
            producer.flush();
        }

        // Everything written: wait (polling here is no part of any timing) until each page shows every event or time runs out.
        int watchedFrom = history.incident(watched).events().size() + 1;
        long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
        Map<String, Object> listSeen;
        Map<String, Object> pageSeen;
        while (true) {
            listSeen = (Map<String, Object>) list.script("return __bench.live()");
            pageSeen = (Map<String, Object>) page.script("return __bench.live()");
            if (missing(plan, listSeen, pageSeen, watchedFrom) == 0 || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(250);
        }
        reader.finish();
        Clock listAfter = clock(list);
        Clock pageAfter = clock(page);
        Clock listClock = new Clock((listBefore.offsetMs + listAfter.offsetMs) / 2, Math.max(listBefore.roundTripMs, listAfter.roundTripMs));
        Clock pageClock = new Clock((pageBefore.offsetMs + pageAfter.offsetMs) / 2, Math.max(pageBefore.roundTripMs, pageAfter.roundTripMs));
        double drift = Math.max(Math.abs(listAfter.offsetMs - listBefore.offsetMs), Math.abs(pageAfter.offsetMs - pageBefore.offsetMs));

        Map<Kind, Histogram> shown = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            shown.put(kind, histogram());
        }
        Histogram all = histogram();
        Histogram feed = histogram();
        Map<String, Object> rows = (Map<String, Object>) listSeen.get("rows");
        Map<String, Object> acks = (Map<String, Object>) listSeen.get("acks");
        Map<String, Object> timeline = (Map<String, Object>) pageSeen.get("timeline");
        long missing = 0;
        for (Planned planned : plan) {
            double dueMs = beginEpochMs + planned.at / 1e6;
            Object at = switch (planned.kind) {
                case OPEN -> rows.get(IncidentHistory.id(history.incidents() + planned.n));
                case ACK -> acks.get(IncidentHistory.id(history.incidents() + planned.n));
                case NOTE -> timeline.get(Integer.toString(watchedFrom + planned.n));
            };
            if (at == null) {
                missing++;
                continue;
            }
            Clock clock = planned.kind == Kind.NOTE ? pageClock : listClock;
            long micros = micros(((Number) at).doubleValue() - clock.offsetMs - dueMs);
            shown.get(planned.kind).recordValue(micros);
            all.recordValue(micros);
        }
        // The feed's messages, by event: the list's for incidents of the phase, the incident page's for the notes.
        Map<String, Double> dueEpochByEvent = new HashMap<>();
        dueByEvent.forEach((event, due) -> dueEpochByEvent.put(event, beginEpochMs + (due - begin) / 1e6));
        for (var seen : List.of(Map.entry(listSeen, listClock), Map.entry(pageSeen, pageClock))) {
            for (List<Object> message : (List<List<Object>>) seen.getKey().get("feed")) {
                Double dueMs = dueEpochByEvent.get(message.get(0) + "/" + message.get(1));
                boolean note = message.get(0).equals(watchedId);
                if (dueMs != null && note == (seen.getKey() == pageSeen)) {
                    feed.recordValue(micros(((Number) message.get(2)).doubleValue() - seen.getValue().offsetMs - dueMs));
                }
            }
        }
        if (missing > 0) {
            failures.put("live events shown", missing + " of " + plan.size() + " events not shown within " + LIVE_TIMEOUT.toSeconds()
                    + " s of the last write");
        }
        if (raw.getTotalCount() != plan.size()) {
            failures.put("raw consumer", raw.getTotalCount() + " of " + plan.size() + " events read");
        }
        report("live: %,d events (%d/s for %d s); shown p50 %.0f, p99 %.0f, max %.0f ms; feed in the browser p99 %.0f ms; raw consumer p99 %.0f ms; "
                        + "clock offsets %.1f / %.1f ms (round trips ≤ %.1f / %.1f ms, drift %.1f ms)", plan.size(), eventRate, eventSeconds,
                ms(all, 50), ms(all, 99), all.getMaxValue() / 1e3, ms(feed, 99), ms(raw, 99), listClock.offsetMs, pageClock.offsetMs,
                listClock.roundTripMs, pageClock.roundTripMs, drift);
        return new Live(shown, all, feed, raw, plan.size(), missing, listClock, pageClock, drift);
    }

    /** New incidents at two fifths of the rate, each acknowledged {@link #ACK_AFTER} later, and notes at a fifth, ordered by time. */
    private List<Planned> plan() {
        double openRate = eventRate * 2 / 5.0;
        double noteRate = eventRate / 5.0;
        List<Planned> plan = new ArrayList<>();
        for (int n = 0; n < openRate * eventSeconds; n++) {
            long at = (long) (n * 1e9 / openRate);
            plan.add(new Planned(at, Kind.OPEN, n));
            plan.add(new Planned(at + ACK_AFTER.toNanos(), Kind.ACK, n));
        }
        for (int n = 0; n < noteRate * eventSeconds; n++) {
            plan.add(new Planned((long) ((n + 0.5) * 1e9 / noteRate), Kind.NOTE, n));
        }
        plan.sort(Comparator.comparingLong(Planned::at));
        return plan;
    }

    @SuppressWarnings("unchecked")
    private long missing(List<Planned> plan, Map<String, Object> listSeen, Map<String, Object> pageSeen, int watchedFrom) {
        Map<String, Object> rows = (Map<String, Object>) listSeen.get("rows");
        Map<String, Object> acks = (Map<String, Object>) listSeen.get("acks");
        Map<String, Object> timeline = (Map<String, Object>) pageSeen.get("timeline");
        return plan.stream().filter(planned -> switch (planned.kind) {
            case OPEN -> !rows.containsKey(IncidentHistory.id(history.incidents() + planned.n));
            case ACK -> !acks.containsKey(IncidentHistory.id(history.incidents() + planned.n));
            case NOTE -> !timeline.containsKey(Integer.toString(watchedFrom + planned.n));
        }).count();
    }

    /** The browser's epoch clock against this JVM's: the best of ten round trips. */
    private static Clock clock(Chromium browser) {
        Clock best = null;
        for (int i = 0; i < 10; i++) {
            double before = epochMs();
            double browserMs = ((Number) browser.script("return performance.timeOrigin + performance.now()")).doubleValue();
            double after = epochMs();
            Clock clock = new Clock(browserMs - (before + after) / 2, after - before);
            if (best == null || clock.roundTripMs < best.roundTripMs) {
                best = clock;
            }
        }
        return best;
    }

    private static double epochMs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1e3 + now.getNano() / 1e6;
    }

    /** A latency in µs for a histogram; below zero (within the clocks' uncertainty) counts as zero. */
    private static long micros(double ms) {
        return Math.max(0, Math.min((long) (ms * 1e3), TimeUnit.MINUTES.toMicros(1)));
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }

    /** A plain read_committed consumer of {@code incident.events.v1} from its end: when each of the phase's events is readable. */
    private final class RawReader extends Thread {
        private final Map<String, Long> dueByEvent;
        private final Histogram latency;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Deserializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer();

        RawReader(Map<String, Long> dueByEvent, Histogram latency) {
            super("bench-raw-consumer");
            this.dueByEvent = dueByEvent;
            this.latency = latency;
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INCIDENT_EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        Long due = dueByEvent.get(events.deserialize(record.topic(), record.value()).getEventId());
                        if (due != null) {
                            latency.recordValue(Math.max(0, Math.min((now - due) / 1_000, TimeUnit.MINUTES.toMicros(1))));
                        }
                    }
                }
            } catch (WakeupException e) {
                // Done.
            } finally {
                consumer.close();
            }
        }

        void finish() throws InterruptedException {
            consumer.wakeup();
            join(10_000);
        }
    }

    // ---- the report

    private void printTables(Load coldList, Load coldIncident, List<Load> warmLists, List<Load> warmIncidents, Load warmList, Live live) {
        System.out.println();
        System.out.printf("| page load, %,d open and %,d resolved incidents | cold | warm p50 | warm p99 | warm max (%d loads) | target |%n",
                open, closed, loads);
        System.out.println("|---|---|---|---|---|---|");
        row("first incident row in the list, ms since navigation", coldList, warmLists, l -> l.shown, "≤ 1,000");
        row("  the frame after it", coldList, warmLists, l -> l.frame, "");
        row("  the list call (`GET /api/v1/incidents`) answered", coldList, warmLists, l -> l.apiEnd, "");
        row("  the list call alone (start to answer)", coldList, warmLists, l -> l.apiEnd - l.apiStart, "");
        row("  the page's document arrived", coldList, warmLists, l -> l.documentEnd, "");
        row("incident page: first timeline entry", coldIncident, warmIncidents, l -> l.shown, "≤ 1,000");
        row("  the frame after it", coldIncident, warmIncidents, l -> l.frame, "");
        row("  the events call answered", coldIncident, warmIncidents, l -> l.apiEnd, "");
        row("  the events call alone (start to answer)", coldIncident, warmIncidents, l -> l.apiEnd - l.apiStart, "");
        System.out.println();
        System.out.println("| transfer, list page | cold (empty cache) | warm (revalidated) | target |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| the console's own requests (the document and /console/: scripts, style, session), decoded "
                        + "| %,d bytes in %d | %,d bytes | ≤ 300 KB |%n",
                coldList.consoleDecoded, coldList.consoleFiles, warmList.consoleDecoded);
        System.out.printf("| the same on the wire (with headers) | %,d bytes | %,d bytes | |%n", coldList.consoleTransfer, warmList.consoleTransfer);
        System.out.printf("| API answers until the first row (decoded / on the wire) | %,d / %,d bytes | %,d / %,d bytes | |%n",
                coldList.apiDecoded, coldList.apiTransfer, warmList.apiDecoded, warmList.apiTransfer);
        System.out.println();
        System.out.printf("| event written → shown, %d events/s for %d s | events | p50 ms | p99 ms | max ms | target |%n", eventRate, eventSeconds);
        System.out.println("|---|---|---|---|---|---|");
        liveRow("new incident → its row in the open list", live.shown.get(Kind.OPEN), "");
        liveRow("acknowledgement → its row says acknowledged", live.shown.get(Kind.ACK), "");
        liveRow("note → the incident page's timeline", live.shown.get(Kind.NOTE), "");
        liveRow("all events", live.all, "p99 ≤ 1,000");
        liveRow("  the change feed's message reached the page", live.feed, "");
        liveRow("  raw Kafka: a plain read_committed consumer read it", live.raw, "");
        System.out.printf("%nBrowser clocks against the benchmark's: %.1f and %.1f ms (round trip ≤ %.1f ms, moved %.1f ms during the phase); "
                        + "%d of %d events not shown.%n", live.listClock.offsetMs, live.pageClock.offsetMs,
                Math.max(live.listClock.roundTripMs, live.pageClock.roundTripMs), live.drift, live.missing, live.written);
        System.out.println();
        System.out.println("| target | result | met |");
        System.out.println("|---|---|---|");
        target("first incident row ≤ 1 s", coldList.shown, percentile(warmLists, l -> l.shown, 99));
        target("incident page with timeline ≤ 1 s", coldIncident.shown, percentile(warmIncidents, l -> l.shown, 99));
        boolean liveMet = ms(live.all, 99) <= 1000 && live.missing == 0;
        System.out.printf("| event on `incident.events.v1` → open browser, p99 ≤ 1 s | p99 %,.0f ms%s | %s |%n", ms(live.all, 99),
                live.missing > 0 ? ", " + live.missing + " not shown" : "", liveMet ? "yes" : "no");
        System.out.printf("| console ≤ 300 KB uncompressed, first load | %,d bytes (%.1f KB) | %s |%n", coldList.consoleDecoded,
                coldList.consoleDecoded / 1000.0, coldList.consoleDecoded <= 300_000 ? "yes" : "no");
    }

    private static void row(String name, Load cold, List<Load> warm, ToDoubleFunction<Load> value, String target) {
        System.out.printf("| %s | %,.0f | %,.0f | %,.0f | %,.0f | %s |%n", name, value.applyAsDouble(cold), percentile(warm, value, 50),
                percentile(warm, value, 99), percentile(warm, value, 100), target);
    }

    private static void liveRow(String name, Histogram histogram, String target) {
        System.out.printf("| %s | %,d | %,.0f | %,.0f | %,.0f | %s |%n", name, histogram.getTotalCount(), ms(histogram, 50), ms(histogram, 99),
                histogram.getMaxValue() / 1e3, target);
    }

    private static void target(String name, double cold, double warmP99) {
        System.out.printf("| %s | cold %,.0f ms, warm p99 %,.0f ms | %s |%n", name, cold, warmP99, cold <= 1000 && warmP99 <= 1000 ? "yes" : "no");
    }
}
