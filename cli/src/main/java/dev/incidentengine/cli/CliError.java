package dev.incidentengine.cli;

/** A failure people read: a message, no stack trace, and an exit code scripts can rely on. */
final class CliError extends RuntimeException {

    /** Exit codes, as README lists them. */
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int NOT_ALLOWED = 4;
    static final int REFUSED = 5;
    static final int UNREACHABLE = 6;

    final int exitCode;

    CliError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
