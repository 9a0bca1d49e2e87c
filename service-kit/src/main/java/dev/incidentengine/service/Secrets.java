package dev.incidentengine.service;

import java.util.regex.Pattern;

/** Recognizes settings whose values must never reach a log. */
public final class Secrets {

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|secret|token|sasl\\.jaas\\.config|credentials|api[._-]?key|integration[._-]?key).*");

    private Secrets() {
    }

    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }
}
