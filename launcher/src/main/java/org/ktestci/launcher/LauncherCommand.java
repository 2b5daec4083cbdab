package org.ktestci.launcher;

import org.ktestci.cistatus.CiStatusMain;
import org.ktestci.launcher.CoordinatorMain;
import org.ktestci.launcher.WorkerMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command tree of the distribution's {@code ktest-ci} launcher (dist/src/bin/ktest-ci), which hands each word
 * to its program: {@code coordinator}, {@code dashboard} and {@code demo} to {@link CoordinatorMain}, {@code worker}
 * to {@link WorkerMain}, {@code status} to {@link CiStatusMain}. The launcher itself is a shell script (it picks the
 * JVM); this model of it is what its shell completion is generated from.
 */
@Command(name = "ktest-ci", mixinStandardHelpOptions = true, versionProvider = LauncherVersion.class,
        description = "Distributed CI for Linux kernels on ktest.")
public final class LauncherCommand {
    /** {@code ktest-ci} with its five commands, each with its own options and sub-commands. */
    public static CommandLine commandLine() {
        CommandLine launcher = new CommandLine(new LauncherCommand());
        launcher.addSubcommand("coordinator", new CommandLine(new CoordinatorMain()));
        launcher.addSubcommand("worker", new CommandLine(new WorkerMain()));
        // `ktest-ci dashboard` and `ktest-ci demo` run `coordinator dashboard` and `coordinator demo`: the same
        // options (inherited --config included), copied, since those commands expect CoordinatorMain as parent.
        for (String word : new String[] {"dashboard", "demo"}) {
            CommandSpec original = new CommandLine(new CoordinatorMain()).getSubcommands().get(word).getCommandSpec();
            CommandSpec copy = CommandSpec.create();
            original.options().forEach(copy::addOption);
            original.positionalParameters().forEach(copy::addPositional);
            copy.usageMessage().description(original.usageMessage().description());
            launcher.addSubcommand(word, copy);
        }
        launcher.addSubcommand("status", new CommandLine(new CiStatusMain()));
        return launcher;
    }

    /** {@code ci-status}, the same program as {@code ktest-ci status}. */
    public static CommandLine ciStatus() {
        return new CommandLine(new CiStatusMain());
    }
}
