package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Credentials referenced by name in config: the environment variable of that name, else the file
 * of that name in the secrets directory. Values are never logged or written to topics; errors name
 * only the secret.
 */
public final class Secrets {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private final Map<String, String> environment;
    private final Path directory;

    public Secrets(Map<String, String> environment, Path directory) {
        this.environment = environment;
        this.directory = directory;
    }

    public String require(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid secret name: " + name);
        }
        String value = environment.get(name);
        if (value != null && !value.isBlank()) {
            return value.strip();
        }
        if (directory != null) {
            Path file = directory.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new IllegalStateException("secret " + name + " unreadable: " + e.getClass().getSimpleName());
                }
            }
        }
        throw new IllegalStateException("secret " + name + " is neither an environment variable nor a file in " + directory);
    }
}
