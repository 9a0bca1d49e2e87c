package dev.incidentengine.ticketing;

import java.time.Duration;

/**
 * A ticketing system did not do what was asked. {@link #retriable()}: a timeout, a broken connection, 429 or 5xx that outlasted
 * the retries, worth trying again later. Otherwise the request itself was refused (4xx): repeating it changes nothing, so the
 * record goes to the dead-letter queue, {@link #reason()} saying why in one word.
 */
public final class TicketException extends Exception {

    private final int status;
    private final boolean retriable;
    private final Duration retryAfter;
    /** A reason word that the status does not tell, or null. */
    private final String reason;

    private TicketException(String message, int status, boolean retriable, Duration retryAfter, Throwable cause) {
        this(message, status, retriable, retryAfter, cause, null);
    }

    private TicketException(String message, int status, boolean retriable, Duration retryAfter, Throwable cause, String reason) {
        super(message, cause);
        this.status = status;
        this.retriable = retriable;
        this.retryAfter = retryAfter;
        this.reason = reason;
    }

    /** The system refused the request (a 4xx other than 429): wrong credentials, a missing project, a field it rejects. */
    public static TicketException refused(String system, String operation, int status, String body) {
        return new TicketException(system + " refused " + operation + ": HTTP " + status + (body.isBlank() ? "" : " " + body),
                status, false, null, null);
    }

    /** A request or answer the connector cannot use (an answer without the expected field, say). */
    public static TicketException invalid(String system, String operation, String why) {
        return new TicketException(system + " " + operation + ": " + why, 0, false, null, null);
    }

    /**
     * The system answered, but cannot do what the connector is configured to ask of this ticket (Jira: no transition of the
     * configured name from the ticket's status): repeating it changes nothing. {@code reason} is the dead-letter word.
     */
    public static TicketException impossible(String system, String operation, String reason, String why) {
        return new TicketException(system + " cannot " + operation + ": " + why, 0, false, null, null, reason);
    }

    /** Still failing after the retries: 429, 5xx or no answer. */
    public static TicketException unavailable(String system, String operation, int status, Duration retryAfter, String why, Throwable cause) {
        return new TicketException(system + " unavailable for " + operation + ": " + why, status, true, retryAfter, cause);
    }

    /** The HTTP status, 0 when there was none. */
    public int status() {
        return status;
    }

    public boolean retriable() {
        return retriable;
    }

    /** What the system asked for in its last {@code Retry-After}, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** One word for the dead-letter header: {@code unauthorized}, {@code forbidden}, {@code not-found}, {@code conflict}, … */
    public String reason() {
        if (reason != null) {
            return reason;
        }
        if (retriable) {
            return status == 429 ? "rate-limited" : "unavailable";
        }
        return switch (status) {
            case 0 -> "invalid-response";
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 409 -> "conflict";
            case 410 -> "gone";
            case 413 -> "too-large";
            case 422 -> "unprocessable";
            default -> "http-" + status;
        };
    }
}
