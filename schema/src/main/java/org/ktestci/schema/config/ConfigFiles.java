package org.ktestci.schema.config;

import java.nio.file.Path;

/** Where the config lives when no {@code --config} is given (config.md). */
public final class ConfigFiles {
    private static final Path DEFAULT = Path.of("/etc/ktest-ci.toml");

    private ConfigFiles() {
    }

    public static Path defaultPath() {
        return DEFAULT;
    }
}
