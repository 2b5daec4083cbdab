package org.ktestci.schema.config;

/** One problem in a config file, printed as {@code <file>:<line>:<column>: <key.path>: <message>} (config.md §1.1). */
public record ConfigError(String file, int line, int column, String keyPath, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + keyPath + ": " + message;
    }
}
