package org.ktestci.cistatus;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.RegressionConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.known.KnownIssue;
import org.ktestci.schema.known.KnownIssueMatcher;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.PrefixMatch;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Local mode (cli.md §2): results read from {@code output_dir}, history from the configured git repositories. */
final class LocalResults implements ResultsSource {

    private final CiConfig config;
    private final OutputDir outputDir;
    private final GitHistory history;

    LocalResults(CiConfig config) {
        this.config = config;
        this.outputDir = new OutputDir(config.outputDir());
        this.history = new GitHistory(config);
    }

    CiConfig config() {
        return config;
    }

    /** {@code [branch.*]} in file order. */
    @Override
    public List<BranchConfig> branches() {
        return List.copyOf(config.branches().values());
    }

    @Override
    public int defaultDepth() {
        return config.keepResultsCommits();
    }

    @Override
    public List<CommitInfo> history(String branch, int n) {
        return history.walk(branch, n);
    }

    /** The one full sha in {@code output_dir} starting with {@code prefix} (≥ 4 hex). */
    String resolveCommit(String prefix) {
        PrefixMatch m;
        try {
            m = outputDir.resolve(prefix, 4);
        } catch (IOException e) {
            throw new CliError("cannot list " + outputDir.root() + ": " + e.getMessage());
        }
        if (m instanceof PrefixMatch.Ambiguous a) {
            throw new CliError("ambiguous commit prefix " + prefix + " (" + a.matches() + " matches)");
        }
        if (m instanceof PrefixMatch.Found f && outputDir.hasResults(f.sha())) {
            return f.sha();
        }
        throw new CliError("no test results for commit " + prefix);
    }

    @Override
    public Optional<CommitResults> results(String sha, int index) {
        return results(sha);
    }

    Optional<CommitResults> results(String sha) {
        try {
            return outputDir.readResults(sha);
        } catch (IOException e) {
            throw new CliError(e.getMessage());
        }
    }

    /** A commit's full sha and its results blob. */
    record Tested(String sha, CommitResults results) {
        String sha12() {
            return sha.substring(0, 12);
        }
    }

    /** Results of a commit named by a sha or prefix, or the resolution error of cli.md §2. */
    @Override
    public Tested resultsOf(String prefix) {
        String sha = resolveCommit(prefix);
        CommitResults results = results(sha).orElseThrow(() -> new CliError("no test results for commit " + prefix));
        return new Tested(sha, results);
    }

    /** The config's known issues, matched over the logs in output_dir and the configured repos' history. */
    @Override
    public Map<String, KnownRef> knownIssues(String sha, List<ResultEntry> entries) {
        Collection<KnownIssue> issues = config.regressions().knownIssues().values();
        Map<String, KnownRef> out = new HashMap<>();
        if (issues.isEmpty()) {
            return out;
        }
        KnownIssueMatcher matcher = new KnownIssueMatcher(
                List.copyOf(issues), (s, key) -> compressedLog(s, key, false).flatMap(LocalResults::text),
                history::contains);
        for (ResultEntry e : entries) {
            matcher.match(sha, e).ifPresent(i -> out.put(e.name(), new KnownRef(i.id(), i.url())));
        }
        return out;
    }

    /**
     * Re-runs from the {@code rerun-<n>.log.br} files beside a Failed result's log (no journal here): each one's
     * status is its last ktest status line.
     */
    @Override
    public Map<String, Reruns> reruns(String sha, List<ResultEntry> entries) {
        Map<String, Reruns> out = new HashMap<>();
        for (ResultEntry e : entries) {
            if (e.status() != Status.FAILED || e.name().contains("/")) {
                continue;
            }
            int runs = 0;
            int passed = 0;
            for (int n = 1; n <= RegressionConfig.MAX_FLAKE_RETRIES; n++) {
                Path file = outputDir.keyDir(sha, e.name()).resolve(OutputDir.rerunArtifact(n, OutputDir.LOG));
                if (!Files.isRegularFile(file)) {
                    break;
                }
                runs++;
                try {
                    passed += lastStatus(text(Files.readAllBytes(file)).orElse(""))
                            == Status.PASSED ? 1 : 0;
                } catch (IOException x) {
                    throw new CliError("cannot read " + file + ": " + x.getMessage());
                }
            }
            if (runs > 0) {
                out.put(e.name(), new Reruns(runs, passed));
            }
        }
        return out;
    }

    private static Status lastStatus(String log) {
        Status last = Status.UNKNOWN;
        for (String line : log.split("\n")) {
            if (line.startsWith("========= PASSED ") || line.startsWith("========= FAILED ")) {
                last = StatusParser.parse(line);
            }
        }
        return last;
    }

    private static Optional<String> text(byte[] brotli) {
        try {
            return Optional.of(new String(Brotli.decompress(brotli),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The Brotli bytes of a result key's {@code log.br} ({@code full_log.br} if {@code full}), if present. */
    @Override
    public Optional<byte[]> compressedLog(String sha, String key, boolean full) {
        if (key.contains("/") || key.equals(".") || key.equals("..")) {
            return Optional.empty(); // not a result key; never let a blob's name point outside <sha>/
        }
        Path file = outputDir.keyDir(sha, key).resolve(full ? OutputDir.FULL_LOG : OutputDir.LOG);
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CliError("cannot read " + file + ": " + e.getMessage());
        }
    }
}
