package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code ci-status branches}: the configured branches and their test groups (cli.md §2–§3). */
@Command(name = "branches", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the tracked branches and their test groups.")
final class BranchesCommand extends Subcommand {
    /** One element of the {@code --json} array. */
    record BranchJson(String name, String fetch, List<String> testGroups) {
    }

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        List<BranchConfig> branches = session.source().branches();
        Terminal out = session.out();
        if (session.json()) {
            Json.print(out, branches.stream()
                    .map(b -> new BranchJson(b.name(), b.fetchUrl() + " " + b.fetchRef(), b.testGroups()))
                    .toList());
            return 0;
        }
        for (BranchConfig b : branches) {
            out.line(String.format("%-40s ", b.name())
                    + out.paint(String.join(", ", b.testGroups()), Terminal.Colour.DIM));
        }
        return 0;
    }
}
