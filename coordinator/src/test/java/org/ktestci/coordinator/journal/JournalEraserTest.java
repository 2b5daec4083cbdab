package org.ktestci.coordinator.journal;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.results.CommitEvent;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention deletes a commit's events and snapshots from the real H2 journal (storage.md §9). */
class JournalEraserTest {
    @TempDir
    Path dir;

    private long rows(PersistenceConfig p, String table, String id) throws Exception {
        try (var c = DriverManager.getConnection(JournalConfig.h2Url(p), "sa", "");
             var st = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE persistence_id = ?")) {
            st.setString(1, id);
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Test
    void aForgottenCommitLeavesNoRowInTheJournal() throws Exception {
        PersistenceConfig p = new PersistenceConfig(PersistenceConfig.Journal.H2, dir.resolve("journal"),
                Optional.empty(), "ktest_ci", Optional.empty());
        ActorTestKit kit = ActorTestKit.create("JournalEraserTest", JournalConfig.build(p).withFallback(
                ConfigFactory.parseString("pekko.actor.provider = local")).withFallback(ConfigFactory.load()));
        try {
            JournalSchema.createIfMissing(kit.system());
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe();
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            ActorRef<ResultsStore.Command> store = kit.spawn(ResultsStore.create(new ResultsIndex(),
                    new OutputDir(dir.resolve("out")), system -> CompletableFuture.completedFuture(List.of()),
                    projector.ref(), ready.ref(), new JournalEraser(p)::erase));
            ready.expectMessageClass(ResultsStore.Ready.class);
            String sha = "f".repeat(40);
            String other = "e".repeat(40);
            for (String s : List.of(sha, other)) {
                store.tell(new ResultsStore.Claim(s, List.of(new CommitEvent.ClaimedKey("t.a", 1)), "L", 1, "h", 0,
                        "x86_64", 1));
            }
            projector.receiveSeveralMessages(3); // IndexReady and one Dirty per persisted claim
            assertEquals(1, rows(p, "event_journal", "commit-" + sha));
            TestProbe<ResultsStore.Forgotten> forgotten = kit.createTestProbe();
            store.tell(new ResultsStore.Forget(sha, forgotten.ref()));
            assertTrue(forgotten.receiveMessage().ok());
            assertEquals(0, rows(p, "event_journal", "commit-" + sha));
            assertEquals(0, rows(p, "snapshot", "commit-" + sha));
            assertEquals(1, rows(p, "event_journal", "commit-" + other), "other commits keep theirs");
        } finally {
            kit.shutdownTestKit();
        }
    }
}
