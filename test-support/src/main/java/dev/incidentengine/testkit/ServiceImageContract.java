package dev.incidentengine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every service image ({@code target/jib-image.tar}) promises, read from the tarball without a
 * container engine: its config (user, entrypoint, env, port, volumes, labels, reproducible date), a
 * layout that holds the app, the runtime, its libraries and three /etc files and nothing else of the
 * build host, and a runtime with every module the app's classes use. Each service's {@code ImageIT}
 * names its service, main class and port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServiceImageContract {

    public static final String USER = "65532:65532";
    public static final String STATE_DIR = "/var/lib/incident-engine";

    /** Everything an image may hold: the app, the runtime, the loader and libraries, three /etc files, the volumes. */
    private static final Pattern ALLOWED = Pattern.compile("(app/(libs/([^/]+\\.jar)?|classes/.*|resources/.*|jib-classpath-file|jib-main-class-file)?"
            + "|opt/(java/.*)?|usr/(lib/([a-z0-9_]+-linux-gnu/([^/]+)?)?)?|lib64/(ld-linux[^/]*)?"
            + "|etc/(passwd|group|nsswitch\\.conf)?|tmp/|var/(lib/(incident-engine/)?)?)");

    private final String service;
    private final String mainClass;
    private final int port;
    private ContainerImage image;
    private Path root;

    protected ServiceImageContract(String service, String mainClass, int port) {
        this.service = service;
        this.mainClass = mainClass;
        this.port = port;
    }

    @BeforeAll
    void openImage() {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "images are built on Linux only");
        assumeFalse(Boolean.getBoolean("jib.skip"), "image not built (-Djib.skip)");
        Path target = Path.of("target");
        image = ContainerImage.open(target.resolve("jib-image.tar"), target.resolve("image-test/tarball"));
        root = image.extractTo(target.resolve("image-test/root"));
    }

    @Test
    void configRunsTheServiceAsNonRootWithItsPortAndVolumes() {
        assertEquals(1, image.repoTags().size());
        assertTrue(image.repoTags().get(0).matches("incident-engine/" + service + ":\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), image.repoTags()::toString);
        JsonNode config = image.config().get("config");
        assertEquals(USER, config.get("User").asText());
        assertEquals("/app", config.get("WorkingDir").asText());
        List<String> entrypoint = image.entrypoint();
        assertEquals("java", entrypoint.get(0), entrypoint::toString);
        assertTrue(entrypoint.contains("-XX:MaxRAMPercentage=75"), entrypoint::toString);
        assertEquals(mainClass, entrypoint.get(entrypoint.size() - 1));
        Map<String, String> env = image.env();
        assertTrue(env.get("PATH").startsWith("/opt/java/bin:"), env::toString);
        assertEquals(STATE_DIR, env.get("INCIDENT_STATE_DIR"));
        assertEquals("0.0.0.0", env.get("INCIDENT_HTTP_HOST"));
        assertEquals(Set.of(port + "/tcp"), fieldNames(config.get("ExposedPorts")));
        assertEquals(Set.of("/tmp", STATE_DIR), fieldNames(config.get("Volumes")));
        assertEquals(service, config.at("/Labels/org.opencontainers.image.title").asText());
        // Reproducible: the same inputs give the same image digest.
        assertEquals("1970-01-01T00:00:00Z", image.config().get("created").asText());
    }

    @Test
    void layersHoldTheAppTheRuntimeAndItsLibrariesOnly() throws IOException {
        List<String> unexpected = new ArrayList<>();
        for (Path layer : image.layers()) {
            for (String line : ContainerImage.listing(layer)) {
                String[] fields = line.split("\\s+", 6);
                String owner = fields[1];
                String path = fields[5];
                if (!ALLOWED.matcher(path).matches() || !owner.equals("0/0")) {
                    unexpected.add(line);
                }
            }
        }
        assertEquals(List.of(), unexpected, "entries outside the image's layout, or not owned by root");

        assertEquals("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
                Files.readString(root.resolve("etc/passwd")));
        assertEquals("root:x:0:\nnonroot:x:65532:\n", Files.readString(root.resolve("etc/group")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("opt/java/bin/java"))));
        for (String writable : List.of("tmp", STATE_DIR.substring(1))) {
            assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(writable))), writable);
        }
        // A real trust store (Debian's JDK links it to /etc/ssl, which would dangle here).
        Path cacerts = root.resolve("opt/java/lib/security/cacerts");
        assertTrue(Files.isRegularFile(cacerts) && !Files.isSymbolicLink(cacerts) && Files.size(cacerts) > 50_000, "cacerts");
    }

    @Test
    void runtimeHasEveryModuleTheAppUses() throws IOException {
        Set<String> runtime = new TreeSet<>(Arrays.asList(Files.readAllLines(root.resolve("opt/java/release")).stream()
                .filter(line -> line.startsWith("MODULES="))
                .findFirst().orElseThrow()
                .replaceAll("MODULES=|\"", "").split(" ")));
        List<String> args = new ArrayList<>(List.of("--ignore-missing-deps", "--print-module-deps", "--multi-release", "17",
                root.resolve("app/classes").toString()));
        try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
            jars.map(Path::toString).sorted().forEach(args::add);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, exit, err::toString);
        Set<String> used = new TreeSet<>(Arrays.asList(out.toString().strip().split(",")));
        used.removeAll(runtime);
        assertEquals(Set.of(), used, "modules the app uses that deploy/image-runtime's image.runtime.modules lacks");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
