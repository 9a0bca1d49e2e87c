package dev.incidentengine.ingest.normalize;

/** One thing wrong with an input, at a JSON path such as {@code alerts[2].startsAt}. */
public record FieldError(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
