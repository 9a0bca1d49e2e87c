package dev.incidentengine.deploy.manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed files ManifestGenerator writes are what it writes now: a topic, a service's Kafka access or a partition
 * count changed without them fails here. With {@code -Dmanifests.write=true} it writes them instead.
 */
class GeneratedManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("manifests.root", "../..")).toAbsolutePath().normalize();

    @Test
    void committedFilesAreWhatTheGeneratorWrites() throws IOException {
        Map<Path, String> expected = ManifestGenerator.files(ROOT);
        if (Boolean.getBoolean("manifests.write")) {
            ManifestGenerator.main(new String[] {ROOT.toString()});
        }
        for (Map.Entry<Path, String> file : expected.entrySet()) {
            Path path = ROOT.resolve(file.getKey());
            assertThat(Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "")
                    .as("%s differs from what ManifestGenerator writes from the registry now; regenerate with%n%s",
                            file.getKey(), ManifestGenerator.REGENERATE)
                    .isEqualTo(file.getValue());
        }
    }
}
