package dev.incidentengine.ingest.normalize;

import java.util.List;

/** The input cannot become alerts; every problem found is listed, with its field. */
public final class InvalidPayloadException extends RuntimeException {

    private final List<FieldError> errors;
    private final boolean overLimit;

    /** @param overLimit whether every error is a value over a limit (rather than malformed) */
    public InvalidPayloadException(List<FieldError> errors, boolean overLimit) {
        super(errors.size() + " invalid field(s): " + errors);
        this.errors = List.copyOf(errors);
        this.overLimit = overLimit;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public boolean overLimit() {
        return overLimit;
    }
}
