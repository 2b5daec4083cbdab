package org.ktestci.schema.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The coordinator's required paths (config.md §2): present, and what they name exists on this machine, so a
 * broken file is refused at load rather than at the first fetch or refill.
 */
final class CoordinatorPaths {
    private final TomlReader r;
    private final TomlScope root;

    CoordinatorPaths(TomlReader r, TomlScope root) {
        this.r = r;
        this.root = root;
    }

    /** Each argument is the key's value when it is a string (a wrong type is already reported). */
    void check(Optional<Path> linuxRepo, Optional<Path> outputDir, Optional<Path> ktestDir) {
        if (require("linux_repo")) {
            linuxRepo.filter(p -> !GitRepos.isRepository(p))
                    .ifPresent(p -> r.error(root, "linux_repo", "not a git repository: " + p));
        }
        if (require("output_dir")) {
            outputDir.flatMap(CoordinatorPaths::outputDirProblem).ifPresent(m -> r.error(root, "output_dir", m));
        }
        if (require("ktest_dir")) {
            ktestDir.filter(p -> !Files.isDirectory(p.resolve("tests")))
                    .ifPresent(p -> r.error(root, "ktest_dir", "has no tests/ directory: " + p));
        }
    }

    private boolean require(String key) {
        if (!r.has(root, key)) {
            r.missing(root, key);
            return false;
        }
        return true;
    }

    /** The coordinator creates {@code output_dir} if its parent exists, and writes into it. */
    private static Optional<String> outputDirProblem(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of("not a directory: " + dir);
        }
        if (Files.isDirectory(dir) && !Files.isWritable(dir)) {
            return Optional.of("not writable: " + dir);
        }
        Path parent = dir.getParent();
        if (!Files.exists(dir) && (parent == null || !Files.isDirectory(parent))) {
            return Optional.of("neither it nor its parent directory exists: " + dir);
        }
        return Optional.empty();
    }
}
