package org.ktestci.cistatus;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real installation in a temporary directory: a JGit repo with three commits on {@code refs/heads/ci/main}, a
 * config file naming it, and an {@code output_dir} with results for the newest and the oldest commit.
 */
final class ResultsFixture {
    static final String TIP_MESSAGE =
            "bcachefs: fix btree iter leak on error path in the journal reclaim code\n\nLonger body.\n";
    static final String FAIL_LOG = "00000 ========= TEST   fail\n00000 ========= FAILED fail in 31s\n";
    static final String FAIL_MORE_LOG = "00000 ========= FAILED fail_more in 5s\n";
    static final String PASS_LOG = "00000 ========= PASSED pass in 3s\n";
    static final String FULL_LOG = "# run header\nwhole VM console\n";

    final Path dir;
    final Path config;
    final OutputDir output;
    /** Oldest first: [0] has one result, [1] none, [2] (the tip) eight. */
    final List<String> shas = new ArrayList<>();

    ResultsFixture(Path dir) throws Exception {
        this.dir = dir;
        this.output = new OutputDir(dir.resolve("out"));
        createRepo();
        Files.createDirectories(dir.resolve("ktest/tests/demo"));
        Files.writeString(dir.resolve("ktest/tests/demo/smoke.ktest"), "#!/usr/bin/env bash\n");
        Files.createDirectories(output.root());
        writeResults();
        config = dir.resolve("ktest-ci.toml");
        Files.writeString(config, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                keep_results_commits = 10

                [test_group.demo]
                tests = ["demo/smoke.ktest"]

                [test_group.extra]
                tests = ["demo/smoke.ktest"]

                [branch.main]
                fetch = "upstream main"
                test_groups = ["demo", "extra"]

                [branch."alice-wip"]
                fetch = "https://example.org/linux.git wip"
                test_groups = ["demo"]
                """);
    }

    String tip() {
        return shas.get(2);
    }

    String oldest() {
        return shas.get(0);
    }

    /** Runs with {@code --config} first, stdout not a tty. */
    CliRun run(String... args) {
        return CliRun.of(false, CliRun.PLAIN_ENV, withConfig(args));
    }

    /** Runs with {@code --config} first, stdout a tty with the given environment. */
    CliRun runOnTty(Map<String, String> env, String... args) {
        return CliRun.of(true, env, withConfig(args));
    }

    /** Runs and requires exit status 0. */
    CliRun ok(String... args) {
        CliRun r = run(args);
        assertEquals(0, r.code(), r.both());
        return r;
    }

    private String[] withConfig(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    void writeBlob(String sha, String message, ResultEntry... entries) throws IOException {
        CommitResultsCodec.writeAtomically(output.blob(sha), new CommitResults(sha, message, List.of(entries)));
    }

    void writeLog(String sha, String key, String file, byte[] content) throws IOException {
        Files.createDirectories(output.keyDir(sha, key));
        Files.write(output.keyDir(sha, key).resolve(file), Brotli.compress(content));
    }

    void setRef(String ref, String sha) throws IOException {
        try (Git git = Git.open(dir.resolve("repo").toFile())) {
            RefUpdate u = git.getRepository().updateRef(ref);
            u.setNewObjectId(ObjectId.fromString(sha));
            u.setForceUpdate(true);
            RefUpdate.Result result = u.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED) {
                throw new IOException("cannot set " + ref + ": " + result);
            }
        }
    }

    private void createRepo() throws Exception {
        List<String> subjects = List.of("bcachefs: change 1\n", "bcachefs: change 2\n", TIP_MESSAGE);
        try (Git git = Git.init().setInitialBranch("master").setDirectory(dir.resolve("repo").toFile()).call()) {
            for (int i = 0; i < subjects.size(); i++) {
                Files.writeString(dir.resolve("repo/file.c"), "v" + i);
                git.add().addFilepattern("file.c").call();
                PersonIdent who = new PersonIdent("Dev", "dev@example.org",
                        Instant.ofEpochSecond(1_700_000_000L + 60L * i), ZoneOffset.UTC);
                shas.add(git.commit().setMessage(subjects.get(i)).setAuthor(who).setCommitter(who).setSign(false)
                        .call().getName());
            }
        }
        setRef("refs/heads/ci/main", tip());
    }

    private void writeResults() throws IOException {
        writeBlob(tip(), TIP_MESSAGE,
                new ResultEntry("demo.smoke.pass", Status.PASSED, 3, 1_700_000_100L),
                new ResultEntry("demo.smoke.fail_more", Status.FAILED, 5, 1_700_000_100L),
                new ResultEntry("demo.smoke.fail", Status.FAILED, 31, 1_700_000_100L),
                new ResultEntry("demo.smoke.pass_too", Status.PASSED, 1200, 1_700_000_100L),
                new ResultEntry("demo.smoke.skip", Status.NOTRUN, 0, 1_700_000_100L),
                new ResultEntry("demo.smoke.slow", Status.INPROGRESS, 0, 1_700_000_100L),
                new ResultEntry("demo.smoke.vm", Status.FAILED_TO_RUN, 0, 1_700_000_100L),
                new ResultEntry("demo.smoke.weird", Status.UNKNOWN, 2, 1_700_000_100L));
        writeBlob(oldest(), "", new ResultEntry("demo.smoke.pass", Status.PASSED, 2, 1_700_000_000L));
        writeLog(tip(), "demo.smoke.fail", OutputDir.LOG, FAIL_LOG.getBytes(StandardCharsets.UTF_8));
        writeLog(tip(), "demo.smoke.fail", OutputDir.FULL_LOG, FULL_LOG.getBytes(StandardCharsets.UTF_8));
        writeLog(tip(), "demo.smoke.fail_more", OutputDir.LOG, FAIL_MORE_LOG.getBytes(StandardCharsets.UTF_8));
        writeLog(tip(), "demo.smoke.pass", OutputDir.LOG, PASS_LOG.getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(output.keyDir(tip(), "demo.smoke.pass").resolve(OutputDir.FULL_LOG),
                Path.of("../demo.smoke.fail/full_log.br"));
    }
}
