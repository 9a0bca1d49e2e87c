package dev.incidentengine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the API is and who asks: each from its flag, else the environment ({@code INCIDENTCTL_URL},
 * {@code INCIDENTCTL_TOKEN}), else the config file ({@code url:}, {@code token:}; default
 * {@code ~/.config/incidentctl/config.yaml}), else the local engine's address. Also the output format.
 */
final class Connection {

    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    @Option(names = "--url", description = "The engine's HTTP API (env INCIDENTCTL_URL; default " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", description = "API token (env INCIDENTCTL_TOKEN).")
    String token;

    @Option(names = "--config", description = "Config file with url: and token: (default ~/.config/incidentctl/config.yaml).")
    Path config;

    @Mixin
    OutputFormat format;

    /** The environment; tests give their own. */
    static Map<String, String> environment = System.getenv();

    ApiClient client() {
        JsonNode file = file();
        String base = first(url, environment.get("INCIDENTCTL_URL"), file.path("url").asText(null), DEFAULT_URL);
        return new ApiClient(base, bearer(file));
    }

    private String bearer(JsonNode file) {
        return first(token, environment.get("INCIDENTCTL_TOKEN"), file.path("token").asText(null), null);
    }

    /**
     * The client of a service that may have an address of its own in a split deployment: {@code url}, else the environment
     * variable {@code env}, else the config file's {@code key}, else the engine's API as {@link #client()} finds it.
     */
    ApiClient client(String url, String env, String key) {
        JsonNode file = file();
        String own = first(url, environment.get(env), file.path(key).asText(null));
        if (own == null) {
            return client();
        }
        return new ApiClient(own, bearer(file));
    }

    Output out() {
        return format.out();
    }

    private JsonNode file() {
        Path path = config != null ? config : Path.of(System.getProperty("user.home"), ".config", "incidentctl", "config.yaml");
        if (!Files.isRegularFile(path)) {
            if (config != null) {
                throw new CliError(CliError.USAGE, "config file " + config + " does not exist");
            }
            return new ObjectMapper().createObjectNode();
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
            return root == null ? new ObjectMapper().createObjectNode() : root;
        } catch (IOException e) {
            throw new CliError(CliError.USAGE, "cannot read config file " + path + ": " + e.getMessage());
        }
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }
}
