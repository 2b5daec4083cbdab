package org.ktestci.launcher.e2e;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.maintenance.OfflineTools;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restarted coordinator keeps every verdict it had and runs only what has none. */
class CoordinatorRestartTest {
    @TempDir
    Path dir;

    private Optional<CommitResults> awaitVerdicts(Path out, String sha, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Path blob = out.resolve(sha + ".capnp");
            if (Files.exists(blob)) {
                CommitResults r = CommitResultsCodec.read(blob);
                if (r.entries().size() == n && r.entries().stream().allMatch(e -> e.status().isVerdict())) {
                    return Optional.of(r);
                }
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    @Test
    void restartKeepsVerdictsAndRunsOnlyNewWork() throws Exception {
        CiFixture fx = new CiFixture(dir);
        List<String> shas = fx.repos(1, "bcachefs: first");
        // Counts every run of every subtest, so a re-run would show.
        fx.testFile("t.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "a b" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do echo "$t" >> "%s"; echo "========= TEST   $t";
                        echo "========= PASSED $t in 0s"; done ;;
                esac
                """.formatted(dir.resolve("runs.log")));
        Path cfg = fx.config("ktest-ci.toml", "t.ktest", "fetch_interval = 5", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        Path out = dir.resolve("out");
        CommitResults before;
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            before = awaitVerdicts(out, shas.get(0), 2).orElseThrow();
        }
        String second;
        try (Git git = Git.open(dir.resolve("upstream").toFile())) {
            second = TestRepos.commit(git, "bcachefs: second", 1_700_100_000L);
        }
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            CommitResults next = awaitVerdicts(out, second, 2).orElseThrow();
            assertTrue(next.entries().stream().allMatch(e -> e.status() == Status.PASSED));
        }
        CommitResults after = CommitResultsCodec.read(out.resolve(shas.get(0) + ".capnp"));
        assertEquals(before.entries(), after.entries(), "the first commit's verdicts are untouched");
        assertEquals(List.of("a", "b", "a", "b"), Files.readAllLines(dir.resolve("runs.log")),
                "each subtest ran once per commit: nothing with a verdict ran again after the restart");
        assertEquals(List.of("t.a", "t.b"), after.entries().stream().map(ResultEntry::name).toList());
    }

    @Test
    void projectionsComeBackFromTheJournalAndOldOutputDirsAreImported() throws Exception {
        CiFixture fx = new CiFixture(dir);
        String sha = fx.repos(1, "bcachefs: first").get(0);
        fx.testFile("t.ktest", """
                #!/usr/bin/env bash
                case $1 in
                    list-tests) echo "a b" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do echo "========= TEST   $t"; echo "========= FAILED $t in 0s";
                        done ;;
                esac
                """);
        Path cfg = fx.config("ktest-ci.toml", "t.ktest", "fetch_interval = 5", CiFixture.PLAINTEXT,
                CiFixture.HOST_WORKER);
        Path out = dir.resolve("out");
        CommitResults before;
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg,
                ConfigRole.COORDINATOR_WITH_WORKER), true)) {
            before = awaitVerdicts(out, sha, 2).orElseThrow();
        }
        // Lost projections: the blob of the commit and one status file.
        Files.delete(out.resolve(sha + ".capnp"));
        Files.delete(out.resolve(sha).resolve("t.a").resolve("status"));
        var config = ConfigLoader.load(cfg, ConfigRole.COORDINATOR);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OfflineTools.rebuildProjections(config, Optional.empty(),
                new PrintStream(printed, true));
        assertTrue(printed.toString().startsWith("rebuilt 1 commits from the journal"), printed.toString());
        assertEquals(before.entries(), CommitResultsCodec.read(out.resolve(sha + ".capnp")).entries());
        assertEquals("========= FAILED a in 0s\n", Files.readString(out.resolve(sha).resolve("t.a").resolve("status")));
        var durations = DurationsCodec.read(out.resolve("test_durations.capnp"));
        assertEquals(List.of("t.a", "t.b"), durations.stream().map(DurationStat::test)
                .toList());
        assertEquals(1, durations.get(0).failed());

        // A ktest-era blob of a commit the journal never saw is imported on request.
        String old = "ab".repeat(20);
        CommitResultsCodec.writeAtomically(out.resolve(old + ".capnp"), new CommitResults(old, "", List.of(
                new ResultEntry("t.a", Status.PASSED, 7, 0))));
        printed.reset();
        OfflineTools.importOutputDir(config, new PrintStream(printed, true));
        assertEquals("imported 1 commits, 1 results\n", printed.toString());

        // At a normal start a missing blob is rendered again from the journal too.
        Files.delete(out.resolve(sha + ".capnp"));
        try (CoordinatorNode node = CoordinatorNode.start(config, false)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(out.resolve(sha + ".capnp")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(before.entries(), CommitResultsCodec.read(out.resolve(sha + ".capnp")).entries());
            // While the coordinator has the journal open the offline tools refuse at once, saying why.
            long started = System.nanoTime();
            IllegalArgumentException busy = Assertions.assertThrows(
                    IllegalArgumentException.class, () -> OfflineTools
                            .rebuildProjections(config, Optional.empty(), new PrintStream(printed, true)));
            assertTrue(busy.getMessage().endsWith("journal.mv.db is in use: stop the coordinator first"),
                    busy.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "no pool timeout");
        }
    }
}
