package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.results.ResultEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.regex.Pattern;

/**
 * {@code ci-status repro <sha> <test>}: a script that re-runs one result on the developer's own machine — the
 * commit and ktest revision checked out, the runner's exact command line and environment, the images' digests
 * (issue 14 item 2). The run details live in the coordinator's journal: asked from the server.
 */
@Command(name = "repro", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print a shell script that reproduces one result's run (needs the coordinator's API).")
final class ReproCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "<sha>", description = "a commit's sha or a prefix of at least 4 hex digits")
    String commit;

    @Parameters(index = "1", paramLabel = "<test>", description = "a result key, or part of one")
    String test;

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        String url = session.serverUrl().orElseThrow(() -> new CliError("repro needs --remote or ci_url "
                + "(how a result ran is in the coordinator's journal)"));
        LocalResults.Tested tested = session.source().resultsOf(commit);
        ResultEntry chosen = LogChoice.choose(tested, test, session.err(), session.out());
        JsonNode doc = new ServerApi(url).get("/api/v1/commits/" + tested.sha() + "?test="
                + ServerConnection.enc("^" + Pattern.quote(chosen.name()) + "$"));
        JsonNode repro = null;
        for (JsonNode t : doc.path("tests")) {
            if (t.path("name").asText().equals(chosen.name())) {
                repro = t.get("repro");
            }
        }
        if (repro == null || repro.isNull()) {
            throw new CliError("no run details for " + chosen.name() + " at " + tested.sha12()
                    + " (still running, imported from ktest, or run before the coordinator recorded them)");
        }
        if (session.json()) {
            Json.print(session.out(), repro);
        } else {
            session.out().line(session.out().untrusted(repro.path("shell").asText()).stripTrailing());
        }
        return 0;
    }
}
