package dev.incidentengine.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An image tarball as Jib's {@code buildTar} writes it ({@code docker load} format), read without a
 * container engine: its manifest, its config, its layers, and a root filesystem made of them.
 * The tars are read by Debian's {@code tar}.
 */
public final class ContainerImage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode manifest;
    private final JsonNode config;

    private ContainerImage(Path dir, JsonNode manifest, JsonNode config) {
        this.dir = dir;
        this.manifest = manifest;
        this.config = config;
    }

    /** Unpacks the tarball (not its layers) into {@code dir}, emptied first. */
    public static ContainerImage open(Path tarball, Path dir) {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException("No image tarball at " + tarball + " (built by ./mvnw package on Linux)");
        }
        run(List.of("tar", "-xf", tarball.toString(), "-C", recreateDirectory(dir).toString()));
        try {
            JsonNode manifests = JSON.readTree(dir.resolve("manifest.json").toFile());
            if (manifests.size() != 1) {
                throw new IllegalStateException("Expected one image in " + tarball + ", found " + manifests.size());
            }
            JsonNode manifest = manifests.get(0);
            return new ContainerImage(dir, manifest, JSON.readTree(dir.resolve(manifest.get("Config").asText()).toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> repoTags() {
        List<String> tags = new ArrayList<>();
        manifest.get("RepoTags").forEach(tag -> tags.add(tag.asText()));
        return tags;
    }

    /** The image config: {@code created}, {@code architecture}, {@code os}, {@code config} (User, Env, Entrypoint...). */
    public JsonNode config() {
        return config;
    }

    public List<String> entrypoint() {
        return strings(config.at("/config/Entrypoint"));
    }

    /** The environment, by name (a copy: add to it to run the image with more). */
    public Map<String, String> env() {
        Map<String, String> env = new TreeMap<>();
        for (String entry : strings(config.at("/config/Env"))) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    public List<Path> layers() {
        List<Path> layers = new ArrayList<>();
        manifest.get("Layers").forEach(layer -> layers.add(dir.resolve(layer.asText())));
        return layers;
    }

    /** One line per entry of the layer, as {@code tar -tv --numeric-owner} lists it (mode, owner/group, size, date, path). */
    public static List<String> listing(Path layer) {
        return run(List.of("tar", "-tvzf", layer.toString(), "--numeric-owner", "--warning=no-unknown-keyword"));
    }

    /** Extracts the layers in order into {@code root} (emptied first); as root, owners and modes are the image's. */
    public Path extractTo(Path root) {
        recreateDirectory(root);
        for (Path layer : layers()) {
            run(List.of("tar", "-xzf", layer.toString(), "-C", root.toString(), "--warning=no-unknown-keyword"));
        }
        return root;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static List<String> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " failed: " + output);
            }
            return output.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and what it holds, then makes it again, empty. */
    public static Path recreateDirectory(Path dir) {
        deleteTree(dir);
        return createDirectories(dir);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
