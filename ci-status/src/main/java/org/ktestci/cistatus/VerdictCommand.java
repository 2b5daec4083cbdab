package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code ci-status verdict <sha> <test>}: a {@code git bisect run} predicate for one test — exit 0 when it
 * Passed, 1 when it Failed, 125 ("skip this commit") when the commit has no verdict for it.
 */
@Command(name = "verdict", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Exit 0 if <test> passed at <sha>, 1 if it failed, 125 if untested (for git bisect run).")
final class VerdictCommand extends Subcommand {
    static final int UNTESTED = 125;

    @Parameters(index = "0", paramLabel = "<sha>")
    String commit;

    @Parameters(index = "1", paramLabel = "<test>", description = "a result key, or a substring matching one")
    String test;

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        LocalResults.Tested tested;
        try {
            tested = session.source().resultsOf(commit);
        } catch (CliError e) {
            session.err().println("ci-status: " + e.getMessage());
            return UNTESTED;
        }
        List<ResultEntry> matches = tested.results().entries().stream()
                .filter(e -> e.name().equals(test)).toList();
        if (matches.isEmpty()) {
            matches = tested.results().entries().stream().filter(e -> e.name().contains(test)).toList();
        }
        if (matches.size() > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "'" + test + "' matches " + matches.size()
                    + " tests in " + tested.sha().substring(0, 12) + "; name one result key");
        }
        if (matches.isEmpty()) {
            session.err().println("ci-status: no test matching '" + test + "' in " + tested.sha().substring(0, 12));
            return UNTESTED;
        }
        ResultEntry e = matches.get(0);
        session.out().line(e.name() + " " + e.status().display());
        return e.status() == Status.PASSED ? 0 : e.status() == Status.FAILED ? 1 : UNTESTED;
    }
}
