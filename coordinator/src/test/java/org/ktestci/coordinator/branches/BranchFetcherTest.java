package org.ktestci.coordinator.branches;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.scheduling.BranchSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One fetch of a tracked branch into {@code refs/heads/<user>/<branch>}, between two real repositories. */
class BranchFetcherTest {
    @TempDir
    Path dir;

    private final Repositories repos = new Repositories();
    private Repository upstream;
    private Repository local;
    private String u1;
    private String u2;

    @BeforeEach
    void repos() throws Exception {
        Git.init().setBare(true).setDirectory(dir.resolve("upstream").toFile()).call().close();
        Git.init().setBare(true).setDirectory(dir.resolve("repo").toFile()).call().close();
        upstream = repos.get(dir.resolve("upstream"));
        local = repos.get(dir.resolve("repo"));
        u1 = TestRepos.commit(upstream, "u1", 1000);
        u2 = TestRepos.commit(upstream, "u2", 2000, u1);
        TestRepos.setRef(upstream, "refs/heads/main", u2);
    }

    @AfterEach
    void close() {
        repos.close();
    }

    private BranchSpec branch(String fetchRef) {
        return new BranchSpec("main", "linux", dir.resolve("repo"), "", dir.resolve("upstream").toString(), fetchRef,
                List.of());
    }

    private BranchFetcher.FetchResult fetch() throws Exception {
        return BranchFetcher.fetch(local, "ci", branch("main"));
    }

    private static Optional<ObjectId> id(String sha) {
        return Optional.of(ObjectId.fromString(sha));
    }

    private String localTip() throws Exception {
        return local.exactRef("refs/heads/ci/main").getObjectId().getName();
    }

    @Test
    void theFirstFetchCreatesTheUsersRefAndIsNotForced() throws Exception {
        assertEquals(new BranchFetcher.FetchResult(Optional.empty(), id(u2), false), fetch());
        assertEquals(u2, localTip());
    }

    @Test
    void aFastForwardIsNotForcedAndAnUnchangedTipIsNoChange() throws Exception {
        fetch();
        String u3 = TestRepos.commit(upstream, "u3", 3000, u2);
        TestRepos.setRef(upstream, "refs/heads/main", u3);
        BranchFetcher.FetchResult ff = fetch();
        assertEquals(new BranchFetcher.FetchResult(id(u2), id(u3), false), ff);
        assertEquals(true, ff.changed());

        BranchFetcher.FetchResult same = fetch();
        assertEquals(new BranchFetcher.FetchResult(id(u3), id(u3), false), same);
        assertEquals(false, same.changed());
    }

    @Test
    void rewrittenHistoryIsForcedAndTheLocalRefFollowsIt() throws Exception {
        fetch();
        // u2 replaced by r2 on top of u1: the old tip is no ancestor of the new one.
        String r2 = TestRepos.commit(upstream, "u2 amended", 2500, u1);
        TestRepos.setRef(upstream, "refs/heads/main", r2);
        assertEquals(new BranchFetcher.FetchResult(id(u2), id(r2), true), fetch());
        assertEquals(r2, localTip());
    }

    @Test
    void aFullRefNameIsFetchedAsIs() throws Exception {
        TestRepos.setRef(upstream, "refs/for/review", u1);
        assertEquals(new BranchFetcher.FetchResult(Optional.empty(), id(u1), false),
                BranchFetcher.fetch(local, "ci", branch("refs/for/review")));
    }

    @Test
    void aRefMissingUpstreamFailsAndLeavesTheLocalRefAlone() throws Exception {
        fetch();
        // The branch was deleted upstream: keep the last tip we had (its jobs stay scheduled) rather than lose it.
        assertThrows(Exception.class, () -> BranchFetcher.fetch(local, "ci", branch("deleted")));
        assertEquals(u2, localTip());
    }
}
