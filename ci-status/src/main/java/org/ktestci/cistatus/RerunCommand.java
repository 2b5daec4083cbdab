package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ci-status rerun}: clears verdicts so the coordinator runs them again, through
 * {@code POST /api/v1/admin/rerun} (http.md §6) with the admin token.
 */
@Command(name = "rerun", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Clear verdicts so they run again (needs --remote or ci_url, and the admin token).",
                "  ci-status rerun <sha> [--pattern GLOB] [--status failed]",
                "  ci-status rerun --branch <b> --range A..B [--pattern GLOB]"})
final class RerunCommand extends Subcommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "<sha>", description = "a commit's sha or unique prefix")
    String commit;

    @Option(names = "--branch", paramLabel = "<branch>", description = "with --range: commits of this branch")
    String branch;

    @Option(names = "--range", paramLabel = "<A..B>", description = "commits reachable from B but not from A")
    String range;

    @Option(names = "--pattern", paramLabel = "<glob>", defaultValue = "*",
            description = "result keys to clear (* any run, ? one character, [...] a class; default *)")
    String pattern;

    @Option(names = "--status", paramLabel = "<status>", split = ",",
            description = "only verdicts with these statuses (passed, failed, notrun, failedToRun, unknown)")
    List<String> statuses = new ArrayList<>();

    @Option(names = "--dry-run", description = "show what would be cleared")
    boolean dryRun;

    @Option(names = "--token-file", paramLabel = "<path>", description = "admin token (else $KTEST_CI_ADMIN_TOKEN "
            + "or http.admin_token_file)")
    Path tokenFile;

    @Override
    public Integer call() throws ConfigException {
        if ((commit == null) == (branch == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either <sha> or --branch with --range");
        }
        if ((branch == null) != (range == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--branch and --range go together");
        }
        Session session = session();
        String url = session.remoteUrl().orElseThrow(() -> new CliError("rerun needs --remote or ci_url"));
        String token = AdminToken.find(Optional.ofNullable(tokenFile), session.env(), session);
        Map<String, Object> body = new LinkedHashMap<>();
        if (commit != null) {
            body.put("commit", commit);
        } else {
            body.put("branch", branch);
            body.put("range", range);
        }
        body.put("pattern", pattern);
        if (!statuses.isEmpty()) {
            body.put("statuses", statuses);
        }
        body.put("dry_run", dryRun);
        JsonNode doc = new ServerApi(url).post("/api/v1/admin/rerun", body, token);
        Terminal out = session.out();
        if (session.json()) {
            Json.print(out, doc);
            return 0;
        }
        int cleared = doc.path("cleared").asInt();
        int commits = doc.path("commits").asInt();
        out.line((dryRun ? "would clear " : "cleared ") + cleared + (cleared == 1 ? " result" : " results") + " in "
                + commits + (commits == 1 ? " commit" : " commits") + (dryRun || cleared == 0 ? ""
                : "; they run again at the next refill"));
        for (JsonNode k : doc.path("keys")) {
            out.line("  " + out.untrusted(k.asText()));
        }
        return 0;
    }
}
