package dev.incidentengine.deploy.manifests;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command-line tools the deployment tests run: kubectl (kustomize) and docker-compose, from Debian's packages in CI
 * ({@code .ci/run} installs them). Where one is missing the tests that need it are skipped, or fail with
 * {@code DEPLOY_TOOLS_REQUIRED=1} (CI), so a newcomer with only a JDK still builds.
 */
final class DeployTools {

    static final YAMLMapper YAML = new YAMLMapper();

    private DeployTools() {
    }

    /** {@code name} on the PATH (or the file {@code $override}), else the test is skipped or, where required, fails. */
    static Path require(String name, String override, String debianPackage) {
        Optional<Path> tool = Optional.ofNullable(System.getenv(override)).map(Path::of)
                .or(() -> onPath(name));
        if (tool.isEmpty()) {
            String missing = name + " is not installed (Debian: apt-get install " + debianPackage + "; or set " + override + ")";
            if ("1".equals(System.getenv("DEPLOY_TOOLS_REQUIRED"))) {
                fail(missing + " and DEPLOY_TOOLS_REQUIRED=1");
            }
            assumeTrue(false, missing);
        }
        return tool.get();
    }

    /** Runs a command to its end (at most a minute); its standard output, or a failure with its standard error. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(Path.of("target"), "tool", ".out");
        Path errors = Files.createTempFile(Path.of("target"), "tool", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(errors.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended within a minute", command).isTrue();
            assertThat(process.exitValue()).as("%s exit code; stderr:%n%s", command, Files.readString(errors)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(errors);
        }
    }

    /** Every document of a YAML stream. */
    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).forEachRemaining(node -> {
            if (node != null && !node.isNull() && !node.isMissingNode()) {
                documents.add(node);
            }
        });
        return documents;
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
