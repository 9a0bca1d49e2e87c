package dev.incidentengine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

    /** @param port the port the image exposes; 0 for a command that listens on none (incidentctl) */
    protected ServiceImageContract(String service, String mainClass, int port) {
        this.service = service;
        this.mainClass = mainClass;
        this.port = port;
    }

    @BeforeAll
    void openImage() {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "images are built on Linux only");
        assumeFalse(Boolean.getBoolean("jib.skip"), "image not built (-Djib.skip)");
        assumeTrue(System.getProperty("jib.from.image") == null, "built on another base image (-Djib.from.image): its layout is that image's");
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
        assertEquals(port == 0 ? Set.of() : Set.of(port + "/tcp"), fieldNames(config.get("ExposedPorts")));
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
        Set<String> used = modulesUsed();
        used.removeAll(runtime);
        assertEquals(Set.of(), used, "modules the app uses that deploy/image-runtime's image.runtime.modules lacks");
    }

    /**
     * The JDK modules the image's classes and jars use, by jdeps. A released jar's answer is kept in
     * the reactor's {@code deploy/image-runtime/target/jdeps-cache}, so the five images analyse their
     * shared jars once.
     */
    private Set<String> modulesUsed() throws IOException {
        Path reactorCache = Path.of("").toAbsolutePath().resolveSibling("deploy/image-runtime/target");
        Path cache = Files.createDirectories((Files.isDirectory(reactorCache) ? reactorCache : Path.of("target")).resolve("jdeps-cache"));
        Set<String> used = new TreeSet<>();
        List<Path> analyse = new ArrayList<>(List.of(root.resolve("app/classes")));
        List<String> known = new ArrayList<>();
        try (Stream<Path> jars = Files.list(root.resolve("app/libs"))) {
            for (Path jar : jars.sorted().toList()) {
                Path cached = cache.resolve(jar.getFileName() + ".modules");
                if (!jar.getFileName().toString().contains("SNAPSHOT") && Files.exists(cached)) {
                    used.addAll(Files.readAllLines(cached));
                    known.add(jar.toString());
                } else {
                    analyse.add(jar);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("--ignore-missing-deps", "-summary", "--multi-release", "17"));
        if (!known.isEmpty()) {
            // A named module analysed (slf4j-nop) must find the modules it requires (slf4j-api) even when their answer is cached.
            args.addAll(List.of("--module-path", String.join(File.pathSeparator, known)));
        }
        analyse.forEach(path -> args.add(path.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, exit, err::toString);
        // "kafka-clients-4.3.1.jar -> java.management": an archive (a jar, or the module it declares) and a JDK module it uses.
        Map<String, Path> byLabel = new TreeMap<>();
        analyse.forEach(path -> byLabel.put(jdepsLabel(path), path));
        Map<Path, Set<String>> byArchive = new TreeMap<>();
        analyse.forEach(path -> byArchive.put(path, new TreeSet<>()));
        for (String line : out.toString().lines().toList()) {
            String[] arrow = line.split(" -> ");
            if (arrow.length == 2 && arrow[1].strip().matches("(java|jdk)\\.[a-z.]+")) {
                Path archive = byLabel.get(arrow[0].strip());
                assertTrue(archive != null, () -> "jdeps names an archive not analysed: " + line);
                byArchive.get(archive).add(arrow[1].strip());
            }
        }
        for (Map.Entry<Path, Set<String>> archive : byArchive.entrySet()) {
            used.addAll(archive.getValue());
            String name = archive.getKey().getFileName().toString();
            if (name.endsWith(".jar") && !name.contains("SNAPSHOT")) {
                // Atomically: image tests of two modules may run at once (./mvnw -T 2) and read what the other writes.
                Path written = Files.write(Files.createTempFile(cache, name, ".tmp"), archive.getValue());
                Files.move(written, cache.resolve(name + ".modules"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return used;
    }

    /** What jdeps calls an archive: the module a jar declares, else the jar's (or directory's) file name. */
    private static String jdepsLabel(Path archive) {
        try {
            return ModuleFinder.of(archive).findAll().stream()
                    .map(reference -> reference.descriptor())
                    .filter(descriptor -> !descriptor.isAutomatic())
                    .map(ModuleDescriptor::name)
                    .findFirst()
                    .orElse(archive.getFileName().toString());
        } catch (FindException e) {
            return archive.getFileName().toString();
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        if (node != null) {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }
}
