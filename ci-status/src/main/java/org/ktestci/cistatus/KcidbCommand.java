package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.kcidb.KcidbExport;
import org.ktestci.schema.kcidb.KeyKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

/**
 * {@code ci-status kcidb <sha>}: a commit's results as KCIDB v5 JSON (issue 14 item 7), to pipe into
 * {@code kcidb-submit}. Remote mode prints the server's {@code /api/v1/kcidb}; local mode builds the same
 * document from {@code output_dir} and the config (without the journal's host and slot of each run).
 */
@Command(name = "kcidb", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A commit's results as KCIDB v5 JSON (checkouts, builds, tests).")
final class KcidbCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "<sha>", description = "a commit's sha or a prefix of at least 4 hex digits")
    String commit;

    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        ResultsSource source = session.source();
        LocalResults.Tested tested = source.resultsOf(commit);
        if (source instanceof LocalResults local) {
            Json.print(session.out(), local(local, tested));
        } else {
            String url = session.remoteUrl().orElseThrow();
            Json.print(session.out(), new ServerApi(url).get("/api/v1/kcidb?commit=" + tested.sha()));
        }
        return 0;
    }

    private static Map<String, Object> local(LocalResults local, LocalResults.Tested tested) {
        CiConfig config = local.config();
        KcidbExport.Checkout checkout = KcidbExport.Checkout.UNKNOWN;
        for (BranchConfig b : local.branches()) {
            try {
                if (local.history(b.name(), local.defaultDepth()).stream().map(CommitInfo::sha)
                        .anyMatch(tested.sha()::equals)) {
                    checkout = KcidbExport.Checkout.ofBranch(b);
                    break;
                }
            } catch (CliError e) {
                // a branch never fetched has no history to look in
            }
        }
        return KcidbExport.export(config.regressions().kcidbOrigin(), config.ciUrl().replaceAll("/+$", ""),
                tested.sha(), tested.results().message(), checkout, tested.results().entries(),
                KeyKernels.of(config)::kernelOf, Map.of());
    }
}
