package dev.incidentengine.configdata;

/** Configuration data that cannot be applied; the message names the file, record and field. */
public final class ConfigDataException extends RuntimeException {

    public ConfigDataException(String message) {
        super(message);
    }
}
