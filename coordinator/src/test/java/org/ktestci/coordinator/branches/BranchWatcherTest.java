package org.ktestci.coordinator.branches;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BranchWatcher actor fetching from a real upstream repository into the coordinator's: which rounds tell
 * the JobWindow about moved tips (and whether forced), and what the fetch status records.
 */
class BranchWatcherTest {
    private static final ActorTestKit KIT = ActorTestKit.create("BranchWatcherTest");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final Repositories repos = new Repositories();
    private final BranchFetchStatus status = new BranchFetchStatus();
    private final TestProbe<JobWindow.Command> window = KIT.createTestProbe();
    private Repository upstream;
    private String u1;
    private String u2;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void repos() throws Exception {
        upstream = bare("upstream");
        bare("repo");
        u1 = TestRepos.commit(upstream, "u1", 1000);
        u2 = TestRepos.commit(upstream, "u2", 2000, u1);
        TestRepos.setRef(upstream, "refs/heads/main", u2);
    }

    @AfterEach
    void close() {
        repos.close();
    }

    private Repository bare(String name) throws Exception {
        Git.init().setBare(true).setDirectory(dir.resolve(name).toFile()).call().close();
        return repos.get(dir.resolve(name));
    }

    private BranchSpec branch(String name, Path upstreamDir) {
        return new BranchSpec(name, "linux", dir.resolve("repo"), "", upstreamDir.toString(), "main", List.of());
    }

    /** A watcher whose timer never fires during the test: rounds are the start-up one and each FetchNow. */
    private ActorRef<BranchWatcher.Command> watch(BranchSpec... branches) {
        return KIT.spawn(BranchWatcher.create("ci", List.of(branches), repos, status, window.ref(),
                Duration.ofHours(1)));
    }

    private JobWindow.TipsChanged nextTips() {
        return window.expectMessageClass(JobWindow.TipsChanged.class, WAIT);
    }

    /** Waits until a round after {@code after} has recorded {@code branch}'s fetch. */
    private BranchFetchStatus.Entry fetchedAfter(String branch, Instant after) {
        return window.awaitAssert(WAIT, () -> {
            BranchFetchStatus.Entry e = status.of(branch).orElseThrow();
            assertTrue(e.at().isAfter(after), "no new fetch of " + branch + " yet");
            return e;
        });
    }

    @Test
    void reportsNewTipsForcedOnlyWhenHistoryWasRewrittenAndNothingWhenTheTipStayed() throws Exception {
        ActorRef<BranchWatcher.Command> watcher = watch(branch("main", dir.resolve("upstream")));
        assertEquals(new JobWindow.TipsChanged("main", "", u2, false), nextTips(), "the start-up fetch");
        assertEquals(Optional.empty(), status.of("main").orElseThrow().error());

        String u3 = TestRepos.commit(upstream, "u3", 3000, u2);
        TestRepos.setRef(upstream, "refs/heads/main", u3);
        watcher.tell(new BranchWatcher.FetchNow());
        assertEquals(new JobWindow.TipsChanged("main", u2, u3, false), nextTips(), "a fast-forward");

        // A round with the same tip: wait until it has fetched; only then rewrite upstream.
        Instant before = status.of("main").orElseThrow().at();
        watcher.tell(new BranchWatcher.FetchNow());
        fetchedAfter("main", before);

        String r3 = TestRepos.commit(upstream, "u3 rewritten", 3500, u1);
        TestRepos.setRef(upstream, "refs/heads/main", r3);
        watcher.tell(new BranchWatcher.FetchNow());
        // Messages from one actor arrive in order, so anything the unchanged round sent would come first.
        assertEquals(new JobWindow.TipsChanged("main", u3, r3, true), nextTips(), "a force-push");
        assertEquals(r3, repos.get(dir.resolve("repo")).exactRef("refs/heads/ci/main").getObjectId().getName());
    }

    @Test
    void aFailedFetchIsRecordedPerBranchAndClearedByTheNextGoodOne() throws Exception {
        Path missing = dir.resolve("not-yet");
        ActorRef<BranchWatcher.Command> watcher = watch(branch("broken", missing),
                branch("main", dir.resolve("upstream")));
        // Branches are fetched in order: when main's change arrives, broken's failure is already recorded.
        assertEquals(new JobWindow.TipsChanged("main", "", u2, false), nextTips(), "one bad branch stops no other");
        BranchFetchStatus.Entry failed = status.of("broken").orElseThrow();
        assertEquals(Optional.of("Invalid remote: " + missing), failed.error(), "JGit's reason, as the dashboard shows it");
        assertEquals(Optional.empty(), status.of("main").orElseThrow().error());

        Repository appeared = bare("not-yet");
        String b1 = TestRepos.commit(appeared, "b1", 1500);
        TestRepos.setRef(appeared, "refs/heads/main", b1);
        watcher.tell(new BranchWatcher.FetchNow());
        assertEquals(new JobWindow.TipsChanged("broken", "", b1, false), nextTips());
        BranchFetchStatus.Entry ok = status.of("broken").orElseThrow();
        assertEquals(Optional.empty(), ok.error());
        assertTrue(ok.at().isAfter(failed.at()));
    }
}
