package org.ktestci.launcher;

import picocli.AutoComplete;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the bash completion scripts of {@code ktest-ci} and {@code ci-status} (picocli's {@link AutoComplete}) into a
 * directory, one file per command as bash-completion's {@code completions/} directory wants them. Run by the dist
 * module at package time, so the scripts always match the options of the build they ship with.
 */
public final class CompletionScripts {
    private CompletionScripts() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CompletionScripts OUTPUT_DIR");
        }
        write(Path.of(args[0]));
    }

    /** Writes {@code dir/ktest-ci} and {@code dir/ci-status}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ktest-ci"), AutoComplete.bash("ktest-ci", LauncherCommand.commandLine()),
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("ci-status"), AutoComplete.bash("ci-status", LauncherCommand.ciStatus()),
                StandardCharsets.UTF_8);
    }
}
