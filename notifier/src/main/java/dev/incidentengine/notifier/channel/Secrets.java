package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import dev.incidentengine.service.ConfigSources;

/**
 * Credentials referenced by name in config: the environment variable {@code INCIDENT_SECRET_<NAME>}
 * (the name upper-cased, {@code .} and {@code -} as {@code _}), else the file of that name in the
 * secrets directory. Only variables with that prefix are secrets: a channel cannot name, and so
 * send away, any other variable of the notifier. A name is a plain file name (no path, no leading
 * dot), so it cannot leave the directory. Values are never logged or written to topics; errors name
 * only the secret.
 */
public final class Secrets {

    private final Map<String, String> environment;
    private final Path directory;

    public Secrets(Map<String, String> environment, Path directory) {
        this.environment = environment;
        this.directory = directory;
    }

    /** The environment variable that holds secret {@code name}. */
    public static String variable(String name) {
        return ConfigSources.SECRET_ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public String require(String name) {
        if (name == null || !ChannelChecks.SECRET_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid secret name: " + name);
        }
        String value = environment.get(variable(name));
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
        throw new IllegalStateException("secret " + name + " is neither the environment variable " + variable(name) + " nor a file in "
                + (directory == null ? "a secrets directory (none is configured)" : directory));
    }
}
