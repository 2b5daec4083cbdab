package org.ktestci.coordinator.maintenance;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention and duration statistics over a real output_dir (storage.md §9, scheduling.md §6). */
class MaintenanceTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final long HOUR = 3600_000;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @TempDir
    Path out;

    private static String sha(char c) {
        return String.valueOf(c).repeat(40);
    }

    private void commit(String sha, long ageMillis, ResultEntry... entries) throws Exception {
        Files.createDirectories(out.resolve(sha).resolve(entries[0].name()));
        CommitResultsCodec.writeAtomically(out.resolve(sha + ".capnp"), new CommitResults(sha, "", List.of(entries)));
        FileTime t = FileTime.fromMillis(System.currentTimeMillis() - ageMillis);
        Files.setLastModifiedTime(out.resolve(sha), t);
        Files.setLastModifiedTime(out.resolve(sha + ".capnp"), t);
    }

    /** A results store that forgets every commit asked, and remembers which. */
    private static Behavior<ResultsStore.Command> forgetting(List<String> forgotten) {
        return Behaviors.receiveMessage(m -> {
            if (m instanceof ResultsStore.Forget f) {
                forgotten.add(f.sha());
                f.replyTo().tell(new ResultsStore.Forgotten(f.sha(), true));
            }
            return Behaviors.same();
        });
    }

    private static Behavior<JobWindow.Command> windowWith(Set<String> jobCommits) {
        return Behaviors.receiveMessage(m -> {
            if (m instanceof JobWindow.GetJobCommits q) {
                q.replyTo().tell(new JobWindow.JobCommits(jobCommits));
            }
            return Behaviors.same();
        });
    }

    @Test
    void removesOnlyOldCommitsOutsideTheLiveSetTheirJournalFirstAndRegeneratesDurations() throws Exception {
        String onBranch = sha('a');
        String queued = sha('b');
        String dead = sha('c');
        String recent = sha('d');
        String journalOnly = sha('e');
        commit(onBranch, 5 * HOUR, new ResultEntry("t.x", Status.PASSED, 10, 1));
        commit(queued, 5 * HOUR, new ResultEntry("t.x", Status.FAILED, 20, 1));
        commit(dead, 5 * HOUR, new ResultEntry("t.x", Status.PASSED, 90, 1),
                new ResultEntry("t.y", Status.FAILED_TO_RUN, 0, 1));
        commit(recent, 10 * 60_000, new ResultEntry("t.x", Status.INPROGRESS, 0, 1));
        Files.writeString(out.resolve("ci-daemon-status.json"), "{}");
        Files.setLastModifiedTime(out.resolve("ci-daemon-status.json"), FileTime.fromMillis(0));
        Path stale = out.resolve(onBranch).resolve("t.x").resolve("status.0badc0de.new");
        Files.writeString(stale, "x");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 2 * HOUR));
        ResultsIndex index = new ResultsIndex();
        index.replace(journalOnly, Map.of("t.x", ResultRecord.imported("t.x", Status.PASSED, 3, 1000)));

        List<String> forgotten = new CopyOnWriteArrayList<>();
        ActorRef<ResultsStore.Command> results = KIT.spawn(forgetting(forgotten));
        ActorRef<JobWindow.Command> window = KIT.spawn(windowWith(Set.of(queued)));
        ActorRef<Maintenance.Command> m = KIT.spawn(Maintenance.create(new Maintenance.Settings(new OutputDir(out),
                Duration.ofHours(1), Duration.ofHours(1)), () -> Set.of(onBranch), index, window, results));
        TestProbe<Maintenance.Report> reply = KIT.createTestProbe();

        m.tell(new Maintenance.RunNow(true, reply.ref()));
        Maintenance.Report dry = reply.receiveMessage(Duration.ofSeconds(10));
        assertEquals(Set.of(dead, dead + ".capnp", "journal:commit-" + dead, "journal:commit-" + journalOnly,
                onBranch + "/t.x/status.0badc0de.new"), Set.copyOf(dry.removed()));
        assertTrue(Files.exists(out.resolve(dead)), "a dry run removes nothing");
        assertTrue(forgotten.isEmpty());

        m.tell(new Maintenance.RunNow(false, reply.ref()));
        Maintenance.Report done = reply.receiveMessage(Duration.ofSeconds(10));
        assertEquals(Set.copyOf(dry.removed()), Set.copyOf(done.removed()));
        assertEquals(Set.of(dead, journalOnly), Set.copyOf(forgotten));
        assertFalse(Files.exists(out.resolve(dead)));
        assertFalse(Files.exists(out.resolve(dead + ".capnp")));
        assertFalse(Files.exists(stale));
        for (String kept : List.of(onBranch, queued, recent)) {
            assertTrue(Files.exists(out.resolve(kept + ".capnp")), kept);
        }
        assertTrue(Files.exists(out.resolve("ci-daemon-status.json")), "ktest-era files are never touched");
        assertTrue(System.currentTimeMillis() - Files.getLastModifiedTime(out.resolve(onBranch)).toMillis() < HOUR,
                "a live commit's directory is touched, so its age restarts");

        // Durations from what is left: Passed/Failed/Not run only, In progress and Failed to run left out.
        List<DurationStat> stats = DurationsCodec.read(out.resolve(OutputDir.DURATIONS_BLOB));
        assertEquals(List.of(new DurationStat("t.x", 15, 2, 1, 1)), stats);
        assertEquals(1, done.durationKeys());
    }
}
