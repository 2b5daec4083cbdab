package org.ktestci.coordinator.results;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.coordinator.results.CommitEvent.ClaimedKey;
import org.ktestci.coordinator.testing.InMemoryJournal;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The results entities on Pekko's in-memory journal: the first-verdict rule, releases, recovery and import. */
class ResultsStoreTest {
    private static final ActorTestKit KIT = ActorTestKit.create("ResultsStoreTest", InMemoryJournal.config());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A fresh sha per test: the in-memory journal is shared by the tests of this class. */
    private static String sha() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            b.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
        }
        return b.toString();
    }

    record Fixture(ActorRef<ResultsStore.Command> store, TestProbe<ResultsProjector.Command> projector,
                   ResultsIndex index, TestProbe<ResultsStore.Ready> ready) {
        ResultsProjector.Dirty nextDirty() {
            return projector.expectMessageClass(ResultsProjector.Dirty.class);
        }

        VerdictOutcome.Result verdict(String sha, String key, String lease, String line) {
            TestProbe<VerdictOutcome> reply = KIT.createTestProbe();
            store.tell(new ResultsStore.Verdict(sha, key, lease, 1, line, 1, 100, 101, key, "", 7, reply.ref()));
            return reply.expectMessageClass(VerdictOutcome.class).result();
        }
    }

    private static Fixture start(Path outputDir, List<String> journalCommits) {
        TestProbe<ResultsProjector.Command> projector = KIT.createTestProbe();
        TestProbe<ResultsStore.Ready> ready = KIT.createTestProbe();
        ResultsIndex index = new ResultsIndex();
        ActorRef<ResultsStore.Command> store = KIT.spawn(ResultsStore.create(index, new OutputDir(outputDir),
                system -> CompletableFuture.completedFuture(journalCommits), projector.ref(), ready.ref()));
        return new Fixture(store, projector, index, ready);
    }

    private static Fixture started(Path outputDir) {
        Fixture f = start(outputDir, List.of());
        f.ready().expectMessageClass(ResultsStore.Ready.class);
        f.projector().expectMessageClass(ResultsProjector.IndexReady.class);
        return f;
    }

    private static void claim(Fixture f, String sha, String lease, String... keys) {
        f.store().tell(new ResultsStore.Claim(sha, Arrays.stream(keys).map(k -> new ClaimedKey(k, 1)).toList(),
                lease, 1, "h", 0, "x86_64", 100));
        f.nextDirty();
    }

    @Test
    void theFirstVerdictStandsAndOtherLeasesAreRefused(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        claim(f, sha, "L1", "t.a");
        assertEquals(Status.INPROGRESS, f.index().record(sha, "t.a").orElseThrow().status());
        assertEquals(VerdictOutcome.Result.NOT_CLAIMED, f.verdict(sha, "t.a", "L0", "========= PASSED a in 1s"));
        assertEquals(VerdictOutcome.Result.RECORDED, f.verdict(sha, "t.a", "L1", "========= FAILED a in 2s"));
        assertEquals(VerdictOutcome.Result.DUPLICATE, f.verdict(sha, "t.a", "L1", "========= PASSED a in 1s"));
        f.store().tell(new ResultsStore.Claim(sha, List.of(new ClaimedKey("t.a", 1)), "L2", 2, "h", 1, "x86_64", 200));
        ResultRecord r = f.index().record(sha, "t.a").orElseThrow();
        assertEquals(Status.FAILED, r.status(), "a later claim does not reopen a verdict");
        assertEquals("========= FAILED a in 2s", r.statusLine());
        assertTrue(f.index().hasVerdict(sha, "t.a"));
    }

    @Test
    void aRerunIsAnObservationThatNeverReplacesTheVerdictAndSurvivesARestart(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        TestProbe<VerdictOutcome> reply = KIT.createTestProbe();
        f.store().tell(new ResultsStore.Observe(sha, "t.a", 1, "R0", "h2", 0, "========= PASSED a in 1s", 1, 300,
                "", 0, 1, reply.ref()));
        assertEquals(VerdictOutcome.Result.NOT_CLAIMED, reply.expectMessageClass(VerdictOutcome.class).result(),
                "no verdict yet: nothing to observe");
        claim(f, sha, "L1", "t.a");
        assertEquals(VerdictOutcome.Result.RECORDED, f.verdict(sha, "t.a", "L1", "========= FAILED a in 2s"));
        f.nextDirty();
        f.store().tell(new ResultsStore.Observe(sha, "t.a", 1, "R1", "h2", 3, "========= PASSED a in 1s", 1, 300,
                "", 0, 2, reply.ref()));
        assertEquals(VerdictOutcome.Result.RECORDED, reply.expectMessageClass(VerdictOutcome.class).result());
        f.nextDirty();
        f.store().tell(new ResultsStore.Observe(sha, "t.a", 1, "R1", "h2", 3, "========= FAILED a in 1s", 1, 300,
                "", 0, 3, reply.ref()));
        assertEquals(VerdictOutcome.Result.DUPLICATE, reply.expectMessageClass(VerdictOutcome.class).result());
        ResultRecord r = f.index().record(sha, "t.a").orElseThrow();
        assertEquals(Status.FAILED, r.status(), "the first verdict stands");
        assertEquals("L1", r.leaseId());
        assertEquals(1, r.observations().size());
        var o = r.observations().get(0);
        assertEquals(List.of(1, Status.PASSED, "h2", 3, "R1", 300L),
                List.of(o.n(), o.status(), o.host(), o.slot(), o.leaseId(), o.at()));
        KIT.stop(f.store());

        Fixture second = start(out, List.of(sha));
        second.ready().expectMessageClass(ResultsStore.Ready.class);
        ResultRecord again = second.index().record(sha, "t.a").orElseThrow();
        assertEquals(Status.FAILED, again.status());
        assertEquals(r.observations(), again.observations());
    }

    @Test
    void aFirstBadFindingIsKeptBesideTheVerdictAndSurvivesARestart(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        FirstBad found = new FirstBad(sha, "bcachefs: oops",
                "Dev", true, List.of("c".repeat(40)), 0, "");
        f.store().tell(new ResultsStore.RecordFirstBad(sha, "t.a", found));
        claim(f, sha, "L1", "t.a");
        assertTrue(f.index().record(sha, "t.a").orElseThrow().bisection().isEmpty(), "no verdict: ignored");
        assertEquals(VerdictOutcome.Result.RECORDED, f.verdict(sha, "t.a", "L1", "========= FAILED a in 2s"));
        f.nextDirty();
        f.store().tell(new ResultsStore.RecordFirstBad(sha, "t.a", found));
        f.nextDirty();
        ResultRecord r = f.index().record(sha, "t.a").orElseThrow();
        assertEquals(found, r.firstBad());
        assertEquals(Status.FAILED, r.status(), "the verdict stays as it was");
        KIT.stop(f.store());

        Fixture second = start(out, List.of(sha));
        second.ready().expectMessageClass(ResultsStore.Ready.class);
        assertEquals(found, second.index().record(sha, "t.a").orElseThrow().firstBad());
    }

    @Test
    void releasingClaimsRemovesOnlyThatLeasesInProgressKeysAndUnknownStays(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        claim(f, sha, "L1", "t.a", "t.b", "t.c");
        assertEquals(VerdictOutcome.Result.RECORDED, f.verdict(sha, "t.a", "L1", "========= PASSED a in 1s"));
        f.nextDirty();
        assertEquals(VerdictOutcome.Result.RECORDED, f.verdict(sha, "t.c", "L1", "garbage"));
        f.nextDirty();
        assertEquals(Status.UNKNOWN, f.index().record(sha, "t.c").orElseThrow().status());
        f.store().tell(new ResultsStore.Release(sha, List.of("t.a", "t.b", "t.c"), "L9", "lease_timeout"));
        f.store().tell(new ResultsStore.Release(sha, List.of("t.a", "t.b", "t.c"), "L1", "lease_timeout"));
        ResultsProjector.Dirty d = f.nextDirty();
        assertEquals(Set.of("t.b"), d.removedKeys(), "another lease's release changes nothing");
        assertFalse(f.index().record(sha, "t.b").isPresent());
        assertEquals(Set.of("t.a", "t.c"), f.index().commit(sha).keySet());
    }

    @Test
    void failedToRunIsRecordedUnderTheEndingLease(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        f.store().tell(new ResultsStore.Claim(sha, List.of(new ClaimedKey("t.a", 3)), "L9", 1, "h", 0, "x86_64", 100));
        f.nextDirty();
        f.store().tell(new ResultsStore.FailedToRun(sha, "t.a", "L8", "checkout_failed"));
        f.store().tell(new ResultsStore.FailedToRun(sha, "t.a", "L9", "checkout_failed"));
        f.nextDirty();
        ResultRecord r = f.index().record(sha, "t.a").orElseThrow();
        assertEquals(Status.FAILED_TO_RUN, r.status());
        assertEquals("FAILED TO RUN", r.statusLine());
        assertEquals("checkout_failed", r.reason());
        assertEquals(3, r.attempt());
        f.projector().expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void failedToRunKeepsEveryAttemptWithItsOwnReasonAcrossARestart(@TempDir Path out) {
        Fixture f = started(out);
        String sha = sha();
        f.store().tell(new ResultsStore.Claim(sha, List.of(new ClaimedKey("t.a", 1), new ClaimedKey("t.b", 1)), "L1",
                1, "h1", 2, "x86_64", 100));
        f.nextDirty();
        f.store().tell(new ResultsStore.Release(sha, List.of("t.a", "t.b"), "L1", "lease_timeout",
                Map.of("t.a", "subtest_not_found", "t.b", "lease_timeout")));
        f.nextDirty();
        f.store().tell(new ResultsStore.Claim(sha, List.of(new ClaimedKey("t.a", 2)), "L2", 2, "h2", 0, "x86_64", 200));
        f.nextDirty();
        f.store().tell(new ResultsStore.FailedToRun(sha, "t.a", "L2", "checkout_failed"));
        f.nextDirty();
        KIT.stop(f.store());

        Fixture second = start(out, List.of(sha));
        second.ready().expectMessageClass(ResultsStore.Ready.class);
        ResultRecord r = second.index().record(sha, "t.a").orElseThrow();
        var reason = r.failureReason().orElseThrow();
        assertEquals("checkout_failed", reason.code());
        assertEquals(2, reason.attempts().size());
        var first = reason.attempts().get(0);
        assertEquals(List.of(1, "h1", 2, "L1", "subtest_not_found"),
                List.of(first.attempt(), first.host(), first.slot(), first.leaseId(), first.reason()));
        assertTrue(first.at() > 0);
        var last = reason.attempts().get(1);
        assertEquals(List.of(2, "h2", 0, "L2", "checkout_failed"),
                List.of(last.attempt(), last.host(), last.slot(), last.leaseId(), last.reason()));
        assertFalse(second.index().record(sha, "t.b").isPresent());
    }

    @Test
    void aRestartedStoreRecoversEveryCommitFromTheJournalBeforeItIsReady(@TempDir Path out) {
        Fixture first = started(out);
        String sha = sha();
        claim(first, sha, "L1", "t.a", "t.b");
        assertEquals(VerdictOutcome.Result.RECORDED, first.verdict(sha, "t.a", "L1", "========= PASSED a in 1s"));
        first.nextDirty();
        KIT.stop(first.store());

        Fixture second = start(out, List.of(sha));
        assertEquals(1, second.ready().expectMessageClass(ResultsStore.Ready.class).commits());
        assertEquals(Status.PASSED, second.index().record(sha, "t.a").orElseThrow().status());
        assertEquals(Status.INPROGRESS, second.index().record(sha, "t.b").orElseThrow().status(),
                "a claim of a lease the window may still resume stays until that lease ends");
        assertEquals(VerdictOutcome.Result.DUPLICATE, second.verdict(sha, "t.a", "L1", "========= FAILED a in 9s"));
        assertEquals(VerdictOutcome.Result.RECORDED, second.verdict(sha, "t.b", "L1", "========= FAILED b in 2s"));
    }

    @Test
    void aBurstOfVerdictsIsWrittenTogetherYetEachIsJudgedAgainstTheOnesBeforeIt(@TempDir Path out) {
        Fixture first = started(out);
        String sha = sha();
        String[] keys = new String[40];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "t.k" + i;
        }
        claim(first, sha, "L1", keys);
        // Sent without waiting, so the entity receives them while earlier writes are still in flight.
        List<TestProbe<VerdictOutcome>> replies = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            TestProbe<VerdictOutcome> reply = KIT.createTestProbe();
            first.store().tell(new ResultsStore.Verdict(sha, keys[i], "L1", 1, "========= PASSED k" + i + " in 1s",
                    1, 100, 101, keys[i], "", i, reply.ref()));
            replies.add(reply);
        }
        TestProbe<VerdictOutcome> repeat = KIT.createTestProbe();
        first.store().tell(new ResultsStore.Verdict(sha, keys[0], "L1", 1, "========= FAILED k0 in 9s",
                1, 100, 101, keys[0], "", 99, repeat.ref()));
        for (int i = 0; i < keys.length; i++) {
            VerdictOutcome o = replies.get(i).expectMessageClass(VerdictOutcome.class);
            assertEquals(VerdictOutcome.Result.RECORDED, o.result(), keys[i]);
            assertEquals(i, o.token(), "each reply carries its request's token");
        }
        assertEquals(VerdictOutcome.Result.DUPLICATE, repeat.expectMessageClass(VerdictOutcome.class).result(),
                "a repeat inside the same burst sees the verdict written just before it");
        KIT.stop(first.store());

        Fixture second = start(out, List.of(sha));
        second.ready().expectMessageClass(ResultsStore.Ready.class);
        for (String key : keys) {
            assertEquals(Status.PASSED, second.index().record(sha, key).orElseThrow().status(),
                    key + " was acknowledged, so it survives a restart");
        }
        assertEquals("========= PASSED k0 in 1s", second.index().record(sha, keys[0]).orElseThrow().statusLine());
    }

    @Test
    void aFirstStartImportsAnExistingOutputDirAndDropsItsInProgressEntries(@TempDir Path out) throws Exception {
        String sha = sha();
        Files.createDirectories(out.resolve(sha).resolve("t.b"));
        Files.writeString(out.resolve(sha).resolve("t.b").resolve("status"), "IN PROGRESS\n");
        CommitResultsCodec.writeAtomically(out.resolve(sha + ".capnp"), new CommitResults(sha, "msg", List.of(
                new ResultEntry("t.a", Status.PASSED, 3, 5), new ResultEntry("t.b", Status.INPROGRESS, 0, 6))));
        Fixture f = start(out, List.of());
        assertEquals(1, f.ready().expectMessageClass(ResultsStore.Ready.class).commits());
        assertTrue(f.index().hasVerdict(sha, "t.a"), "imported verdicts are in the index before Ready");
        assertFalse(f.index().record(sha, "t.b").isPresent());
        assertFalse(Files.exists(out.resolve(sha).resolve("t.b")), "In-progress directories are deleted");
        assertEquals("", f.index().record(sha, "t.a").orElseThrow().statusLine(),
                "imported entries have no status line: their original files stay");
    }
}
