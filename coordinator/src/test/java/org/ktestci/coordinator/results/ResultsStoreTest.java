package org.ktestci.coordinator.results;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsStoreTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    record Fixture(ActorRef<ResultsStore.Command> store, TestProbe<ResultsProjector.Command> projector,
                   ResultsIndex index) {
        ResultsProjector.Render nextRender() {
            return projector.expectMessageClass(ResultsProjector.Render.class);
        }
    }

    private static Fixture start() {
        TestProbe<ResultsProjector.Command> projector = KIT.createTestProbe();
        ResultsIndex index = new ResultsIndex();
        return new Fixture(KIT.spawn(ResultsStore.create(ResultsRecovery.Recovered.empty(), index, projector.ref())),
                projector, index);
    }

    @Test
    void theFirstVerdictStandsAndStaleLeasesAreIgnored() {
        Fixture f = start();
        f.store().tell(new ResultsStore.Claim(SHA, List.of(new ResultsStore.ClaimedKey("t.a", 1)), "L1", "h", 0,
                "x86_64", 100));
        assertEquals(Status.INPROGRESS, f.nextRender().records().get("t.a").status());
        f.store().tell(new ResultsStore.Verdict(SHA, "t.a", "L0", "========= PASSED a in 1s", 1, 100, "t.a", ""));
        f.store().tell(new ResultsStore.Verdict(SHA, "t.a", "L1", "========= FAILED a in 2s", 2, 101, "t.a", ""));
        ResultRecord r = f.nextRender().records().get("t.a");
        assertEquals(Status.FAILED, r.status(), "a verdict from another lease is not_claimed");
        assertEquals("========= FAILED a in 2s", r.statusLine());
        f.store().tell(new ResultsStore.Verdict(SHA, "t.a", "L1", "========= PASSED a in 1s", 1, 100, "t.a", ""));
        f.store().tell(new ResultsStore.Claim(SHA, List.of(new ResultsStore.ClaimedKey("t.a", 1)), "L2", "h", 1,
                "x86_64", 200));
        f.nextRender(); // the re-claim publishes, but the verdict stays
        assertEquals(Status.FAILED, f.index().record(SHA, "t.a").orElseThrow().status());
        assertTrue(f.index().hasVerdict(SHA, "t.a"));
    }

    @Test
    void releasingClaimsRemovesOnlyThatLeasesInProgressKeys() {
        Fixture f = start();
        f.store().tell(new ResultsStore.Claim(SHA, List.of(new ResultsStore.ClaimedKey("t.a", 1),
                new ResultsStore.ClaimedKey("t.b", 1)), "L1", "h", 0, "x86_64", 100));
        f.nextRender();
        f.store().tell(new ResultsStore.Verdict(SHA, "t.a", "L1", "========= PASSED a in 1s", 1, 100, "t.a", ""));
        f.nextRender();
        f.store().tell(new ResultsStore.Release(SHA, List.of("t.a", "t.b"), "L1", "lease_timeout"));
        ResultsProjector.Render r = f.nextRender();
        assertEquals(Set.of("t.b"), r.removedKeys());
        assertEquals(Set.of("t.a"), r.records().keySet());
        assertFalse(f.index().record(SHA, "t.b").isPresent());
    }

    @Test
    void failedToRunIsRecordedUnderTheEndingLease() {
        Fixture f = start();
        f.store().tell(new ResultsStore.Claim(SHA, List.of(new ResultsStore.ClaimedKey("t.a", 3)), "L9", "h", 0,
                "x86_64", 100));
        f.nextRender();
        f.store().tell(new ResultsStore.FailedToRun(SHA, "t.a", "L9", "checkout_failed"));
        ResultRecord r = f.nextRender().records().get("t.a");
        assertEquals(Status.FAILED_TO_RUN, r.status());
        assertEquals("FAILED TO RUN", r.statusLine());
        assertEquals("checkout_failed", r.reason());
        assertEquals(3, r.attempt());
    }

    @Test
    void recoveredCommitsDropInProgressEntriesAtStart() {
        TestProbe<ResultsProjector.Command> projector = KIT.createTestProbe();
        ResultsIndex index = new ResultsIndex();
        ResultsRecovery.Recovered rec = new ResultsRecovery.Recovered(
                Map.of(SHA, Map.of("t.a", ResultRecord.imported("t.a", Status.PASSED, 3, 5))),
                Map.of(SHA, Set.of("t.b")));
        KIT.spawn(ResultsStore.create(rec, index, projector.ref()));
        ResultsProjector.Render r = projector.expectMessageClass(ResultsProjector.Render.class);
        assertEquals(Set.of("t.b"), r.removedKeys());
        assertTrue(index.hasVerdict(SHA, "t.a"));
    }
}
