package org.ktestci.schema.config;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

/** {@code check-config} of every program: {@code ok} and 0, or every error and 78 (config.md §1). */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    /** Loads the file, printing its errors to {@code err}; empty when it is invalid. */
    public static Optional<CiConfig> loadOrReport(Path file, ConfigRole role, PrintStream err) {
        try {
            return Optional.of(ConfigLoader.load(file, role));
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            return Optional.empty();
        }
    }

    public static int run(Path file, ConfigRole role, PrintStream out, PrintStream err) {
        if (loadOrReport(file, role, err).isEmpty()) {
            return ConfigException.EXIT_CODE;
        }
        out.println("ok");
        return 0;
    }
}
