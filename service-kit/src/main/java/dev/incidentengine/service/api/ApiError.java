package dev.incidentengine.service.api;

/** A refused API request: the HTTP status, the field or parameter at fault (may be null) and why. */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String field;

    public ApiError(int status, String field, String message) {
        super(field == null ? message : field + ": " + message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
