package dev.riffle.config;

/** A configuration value that is missing, unknown or malformed; the message names the key and what was expected. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
