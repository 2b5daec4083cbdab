package org.ktestci.schema.config;

import org.eclipse.jgit.api.Git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** A config file in a temp dir, with the coordinator's repo and ktest tree when a test needs them. */
final class ConfigFixture {
    /** The top of a coordinator config whose paths {@link #coordinatorLayout} creates. */
    static final String COORDINATOR_TOP = """
            linux_repo = "repo"
            output_dir = "out"
            ktest_dir  = "ktest"
            [cluster]
            insecure_plaintext = true
            """;

    final Path dir;

    ConfigFixture(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve("ktest-ci.toml");
    }

    /** A real git repo {@code repo}, and {@code ktest/tests/} holding the given test files. */
    ConfigFixture coordinatorLayout(String... tests) throws Exception {
        gitRepo(dir.resolve("repo"), false);
        Files.createDirectories(dir.resolve("ktest/tests"));
        for (String t : tests) {
            Path p = dir.resolve("ktest/tests").resolve(t);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "#!/bin/bash\n");
        }
        return this;
    }

    static void gitRepo(Path path, boolean bare) throws Exception {
        Git.init().setDirectory(path.toFile()).setBare(bare).call().close();
    }

    CiConfig parse(String toml, ConfigRole role) throws ConfigException {
        return ConfigLoader.parse(toml, file(), role);
    }

    /** Writes the file and loads it from disk, as the programs do. */
    CiConfig write(String toml, ConfigRole role) throws IOException, ConfigException {
        Files.writeString(file(), toml);
        return ConfigLoader.load(file(), role);
    }

    List<String> errors(String toml, ConfigRole role) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(toml, role));
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    String err(int line, int column, String keyPath, String message) {
        return file() + ":" + line + ":" + column + ": " + keyPath + ": " + message;
    }
}
