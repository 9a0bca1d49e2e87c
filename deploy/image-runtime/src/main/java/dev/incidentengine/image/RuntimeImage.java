package dev.incidentengine.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds the root filesystem of the services' base layer, so images need no registry: a Java runtime
 * made by the build JDK's own jlink, the shared libraries it and the JNI libraries in the services'
 * jars need (their DT_NEEDED closure, taken from the build host), and the few /etc files a JVM reads.
 *
 * <p>Arguments: {@code ROOT MODULES}; the runtime goes to {@code ROOT/opt/java}. The JNI libraries are
 * looked for in the jars on this tool's class path (its dependencies are the services' native ones).
 * Nothing else of the build host goes in, and a second run with the same inputs leaves ROOT untouched.
 */
public final class RuntimeImage {

    static final String JAVA_HOME = "opt/java";
    static final int USER = 65532;

    /** The directories the dynamic loader searches when there is no ld.so.cache, the image's case. */
    private static final List<String> LIBRARY_DIRS = List.of("lib/%s", "usr/lib/%s", "lib", "usr/lib");

    private RuntimeImage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: RuntimeImage ROOT MODULES");
        }
        Path root = Path.of(args[0]).toAbsolutePath();
        String modules = args[1];
        List<Path> jars = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar")).map(Path::of).toList();
        String inputs = "java.home=" + System.getProperty("java.home") + "\njava.version=" + Runtime.version()
                + "\nmodules=" + modules + "\njars=" + jars + "\ntool=" + toolVersion() + "\n";
        Path stamp = root.resolveSibling(root.getFileName() + ".inputs");
        if (Files.isDirectory(root) && Files.exists(stamp) && Files.readString(stamp).equals(inputs)) {
            System.out.println("Image runtime up to date: " + root);
            return;
        }
        long start = System.nanoTime();
        Files.deleteIfExists(stamp);
        deleteTree(root);
        Files.createDirectories(root);
        jlink(root.resolve(JAVA_HOME), modules);
        Set<String> libraries = copyLibraries(root, jars);
        writeEtc(root);
        // Writable only through volumes; world-writable (Jib cannot set owners) so any uid the platform picks works.
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("var/lib/incident-engine"));
        Files.writeString(stamp, inputs);
        System.out.printf("Image runtime in %s (%d ms): modules %s; host libraries %s%n",
                root, (System.nanoTime() - start) / 1_000_000, modules, libraries);
    }

    /** This tool's own classes, so a changed tool makes the root again. */
    private static int toolVersion() throws IOException {
        int hash = 1;
        for (Class<?> type : List.of(RuntimeImage.class, Elf.class)) {
            try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
                hash = 31 * hash + Arrays.hashCode(in.readAllBytes());
            }
        }
        return hash;
    }

    private static void jlink(Path output, String modules) {
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jlink (a JRE, or a JDK without jmods?)"));
        int exit = jlink.run(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                "--add-modules", modules, "--strip-debug", "--no-header-files", "--no-man-pages",
                // java.desktop is there for java.beans only: AWT's, sound's and fonts' natives would pull in X11.
                "--exclude-files=glob:/java.desktop/lib/**",
                "--output", output.toString());
        if (exit != 0) {
            throw new IllegalStateException("jlink failed with exit " + exit);
        }
    }

    /**
     * Copies, from the build host, every library that the runtime's executables and libraries and the
     * jars' JNI libraries (those for this machine) need, and the runtime's ELF interpreter at its path.
     */
    static Set<String> copyLibraries(Path root, List<Path> jars) throws IOException {
        Path javaHome = root.resolve(JAVA_HOME);
        Map<String, Elf> objects = new LinkedHashMap<>();
        Set<String> runtimeLibraries = new TreeSet<>();
        try (Stream<Path> files = Files.walk(javaHome)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] head = readHead(file);
                if (Elf.isElf(head)) {
                    objects.put(javaHome.relativize(file).toString(), Elf.parse(Files.readAllBytes(file)));
                    runtimeLibraries.add(file.getFileName().toString());
                }
            }
        }
        Elf java = objects.get("bin/java");
        if (java == null || java.interpreter().isEmpty()) {
            throw new IllegalStateException("the runtime has no dynamically linked bin/java");
        }
        int machine = java.machine();
        for (Path jar : jars) {
            objects.putAll(jniLibraries(jar, machine));
        }
        String multiarch = switch (machine) {
            case Elf.EM_X86_64 -> "x86_64-linux-gnu";
            case Elf.EM_AARCH64 -> "aarch64-linux-gnu";
            default -> throw new IllegalStateException("unsupported machine " + machine);
        };
        String interpreter = java.interpreter().get();
        copyFromHost(Path.of(interpreter), root.resolve(interpreter.substring(1)));

        Set<String> copied = new TreeSet<>();
        Deque<Map.Entry<String, Elf>> pending = new ArrayDeque<>(objects.entrySet());
        while (!pending.isEmpty()) {
            Map.Entry<String, Elf> object = pending.pop();
            for (String needed : object.getValue().needed()) {
                // The runtime finds its own libraries through its RUNPATH ($ORIGIN); the loader is already there.
                if (runtimeLibraries.contains(needed) || copied.contains(needed)
                        || Path.of(interpreter).getFileName().toString().equals(needed)) {
                    continue;
                }
                Path host = findOnHost(needed, multiarch)
                        .orElseThrow(() -> new IllegalStateException(object.getKey() + " needs " + needed
                                + ", which is in none of " + LIBRARY_DIRS + " (multiarch " + multiarch + ") on this host"));
                Path target = root.resolve("usr/lib").resolve(multiarch).resolve(needed);
                copyFromHost(host, target);
                copied.add(needed);
                pending.push(Map.entry(needed, Elf.parse(Files.readAllBytes(target))));
            }
        }
        return copied;
    }

    /**
     * The JNI libraries a jar carries for Linux on this machine with glibc (the jars name the OS in the path;
     * musl builds need a loader the image does not have).
     */
    private static Map<String, Elf> jniLibraries(Path jar, int machine) throws IOException {
        Map<String, Elf> found = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName().toLowerCase(Locale.ROOT);
                if (entry.isDirectory() || !name.endsWith(".so") || !name.contains("linux") || name.contains("musl")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (Elf.isElf(bytes) && bytes[4] == 2 && bytes[5] == 1) {
                    Elf elf = Elf.parse(bytes);
                    if (elf.machine() == machine) {
                        found.put(jar.getFileName() + "!/" + entry.getName(), elf);
                    }
                }
            }
        }
        return found;
    }

    private static Optional<Path> findOnHost(String library, String multiarch) {
        return LIBRARY_DIRS.stream()
                .map(dir -> Path.of("/", dir.formatted(multiarch), library))
                .filter(Files::isRegularFile)
                .findFirst();
    }

    /** Copies the file a host path names (a symlink is followed: the image gets the real bytes). */
    private static void copyFromHost(Path host, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(host.toRealPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeEtc(Path root) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "nonroot:x:" + USER + ":" + USER + ":nonroot:/home/nonroot:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnonroot:x:" + USER + ":\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
    }

    private static byte[] readHead(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(64);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
