package dev.incidentengine.schemas;

/**
 * A config record that breaks its owner's rules: {@code field: reason}, the field named from the record (such as
 * {@code levels[0].delayMinutes}). The owners' checks throw it without knowing files; the config loader adds the file
 * and the record, and the streams that skip bad records add the record's id.
 */
public final class ConfigProblem extends IllegalArgumentException {

    /** A problem already written {@code field: reason}, as {@code ScheduleChecks} lists them. */
    public ConfigProblem(String problem) {
        super(problem);
    }

    public ConfigProblem(String field, String reason) {
        super(field + ": " + reason);
    }

    /** Fails naming the field unless the condition holds. */
    public static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new ConfigProblem(field, reason);
        }
    }
}
