package org.ktestci.launcher;

import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigCheck;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigRole;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What every program that runs from the config file does first: load it for its role, or print every error
 * (file:line:column: key: what is wrong) and exit 78 (EX_CONFIG), as config.md §1 says.
 */
final class ConfigOrExit {
    static final int EXIT_CODE = ConfigException.EXIT_CODE;

    /** A command run with the loaded config; returns its exit status. */
    @FunctionalInterface
    interface Command {
        int run(CiConfig config) throws Exception;
    }

    private ConfigOrExit() {
    }

    static int run(Path file, ConfigRole role, Command command) throws Exception {
        Optional<CiConfig> loaded = ConfigCheck.loadOrReport(file, role, System.err);
        return loaded.isEmpty() ? EXIT_CODE : command.run(loaded.get());
    }
}
