package dev.incidentengine.ingest.normalize;

import java.util.List;

/** The input cannot become alerts; every problem found is listed, with its field. */
public final class InvalidPayloadException extends RuntimeException {

    private final List<FieldError> errors;

    public InvalidPayloadException(List<FieldError> errors) {
        super(errors.size() + " invalid field(s): " + errors);
        this.errors = List.copyOf(errors);
    }

    public InvalidPayloadException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
