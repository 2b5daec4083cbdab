package org.ktestci.schema.config;

import java.util.List;

/** A config file with problems: every one of them, sorted by line then column. */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.isEmpty() ? "invalid config" : errors.get(0).toString()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    /** Exit status of every program for an invalid config file (README "Commands"). */
    public static final int EXIT_CODE = 78;
}
