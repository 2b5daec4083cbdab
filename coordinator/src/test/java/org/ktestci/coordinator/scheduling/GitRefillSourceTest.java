package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The production refill source over a real JGit repository (scheduling.md §2–§3): ages in {@code git rev-list}
 * order, depth from {@code max_commits}, absent refs skipped, verdicts dropped, commits deduplicated.
 */
class GitRefillSourceTest {
    private static final String USER = "ci";

    @TempDir
    Path dir;

    private final Repositories repos = new Repositories();
    private final ResultsIndex index = new ResultsIndex();
    private final Map<String, String> names = new HashMap<>();
    private Path repoPath;
    private Repository repo;
    private SubtestListingCache listings;
    private String c1, c2, c3, s0, s1, m;

    /**
     * <pre>
     *   c1(1000) - c2(5000) - c3(2500) ------- m(4000)      m's parents: c3, s1
     *                  \                      /
     *                   s0(6000) - s1(3000) -
     * </pre>
     * c2 and s0 carry skewed (newer) clocks, so commit-time order is not topological: {@code git rev-list m}
     * prints m s1 s0 c2 c3 c1 (checked with git 2.39), c2 before its child c3.
     */
    @BeforeEach
    void history() throws Exception {
        repoPath = dir.resolve("repo");
        Git.init().setBare(true).setDirectory(repoPath.toFile()).call().close();
        repo = repos.get(repoPath);
        c1 = named("c1", TestRepos.commit(repo, "c1", 1000));
        c2 = named("c2", TestRepos.commit(repo, "c2", 5000, c1));
        c3 = named("c3", TestRepos.commit(repo, "c3", 2500, c2));
        s0 = named("s0", TestRepos.commit(repo, "s0", 6000, c2));
        s1 = named("s1", TestRepos.commit(repo, "s1", 3000, s0));
        m = named("m", TestRepos.commit(repo, "merge", 4000, c3, s1));
        TestRepos.setRef(repo, "refs/heads/ci/main", m);

        Path tests = dir.resolve("ktest/tests");
        Files.createDirectories(tests);
        Map<String, List<String>> listed = Map.of("t.ktest", List.of("a"), "u.ktest", List.of("a", "b"));
        for (String t : listed.keySet()) {
            Files.writeString(tests.resolve(t), "#!/bin/bash\n");
        }
        // Listing itself is SubtestListingCacheTest's business; a map is enough here.
        listings = new SubtestListingCache(tests, f -> listed.get(f.getFileName().toString()));
    }

    @AfterEach
    void close() {
        repos.close();
    }

    private String named(String name, String sha) {
        names.put(sha, name);
        return sha;
    }

    private static GroupSpec group(String name, String test, int maxCommits) {
        return new GroupSpec(name, List.of(test), maxCommits, 0, List.of(), new TreeMap<>(), List.of());
    }

    private BranchSpec branch(String name, GroupSpec... groups) {
        return new BranchSpec(name, "linux", repoPath, "https://example.org/linux.git", "/upstream/" + name, name,
                List.of(groups));
    }

    private DesiredJobs.Result compute(int keepResultsCommits, Set<String> pending, BranchSpec... branches)
            throws IOException {
        return source(keepResultsCommits, branches).compute(k -> false, Set.of("x86_64"), 100, Map.of(), pending);
    }

    private GitRefillSource source(int keepResultsCommits, BranchSpec... branches) {
        return new GitRefillSource(USER, List.of(branches), repos, listings, index, DurationCosts.constant(10),
                keepResultsCommits, () -> { });
    }

    /** Each job as {@code <commit name>:<result key>@<weight>/<owning branch>}, in window order. */
    private List<String> jobs(DesiredJobs.Result r) {
        return r.jobs().stream().map(j -> names.get(j.key().commit()) + ":" + j.resultKey() + "@" + j.weight()
                + "/" + j.branch()).toList();
    }

    @Test
    void agesAreGitRevListIndexesFollowingEveryParent() throws IOException {
        DesiredJobs.Result r = compute(0, Set.of(), branch("main", group("g", "t.ktest", 10)));
        // First-parent order would skip s0/s1; topological order would put c3 before c2.
        assertEquals(List.of("m:t.a@0/main", "s1:t.a@1/main", "s0:t.a@2/main", "c2:t.a@3/main", "c3:t.a@4/main",
                "c1:t.a@5/main"), jobs(r));
        Job tip = r.jobs().get(0);
        assertEquals(new JobKey(m, "t.ktest", "a", "", "", ""), tip.key());
        assertEquals("t.a", tip.resultKey());
        assertEquals("linux", tip.repo());
        assertEquals(List.of(new Source("/upstream/main", "main")), tip.sources());
    }

    @Test
    void theWalkStopsAtTheLargestMaxCommitsOfTheBranchsGroups() throws IOException {
        DesiredJobs.Result r = compute(0, Set.of(),
                branch("main", group("short", "t.ktest", 2), group("long", "u.ktest", 4)));
        // depth 4 is walked; the 2-commit group uses only the first two of it.
        assertEquals(List.of("m:t.a@0/main", "m:u.a@0/main", "m:u.b@0/main", "s1:t.a@1/main", "s1:u.a@1/main",
                "s1:u.b@1/main", "s0:u.a@2/main", "s0:u.b@2/main", "c2:u.a@3/main", "c2:u.b@3/main"), jobs(r));
        assertEquals(Set.of(m, s1, s0, c2), r.liveCommits(), "exactly the walked commits (no pending ones asked about)");
    }

    @Test
    void aBranchWhoseRefIsAbsentIsSkipped() throws Exception {
        // Other users' refs and the bare branch name do not count: only refs/heads/<user>/<branch> does.
        TestRepos.setRef(repo, "refs/heads/gone", c1);
        TestRepos.setRef(repo, "refs/heads/alice/gone", c1);
        DesiredJobs.Result r = compute(0, Set.of(), branch("gone", group("g", "t.ktest", 10)),
                branch("main", group("g2", "t.ktest", 1)));
        assertEquals(List.of("m:t.a@0/main"), jobs(r));
    }

    @Test
    void jobsWithAVerdictAreNotEmittedButInProgressAndUnknownOnesAre() throws IOException {
        index.replace(m, Map.of("u.a", ResultRecord.imported("u.a", Status.PASSED, 5, 1)));
        index.replace(s1, Map.of("u.a", ResultRecord.imported("u.a", Status.NOTRUN, 0, 1),
                "u.b", ResultRecord.imported("u.b", Status.FAILED, 5, 1)));
        index.replace(s0, Map.of("u.a", ResultRecord.imported("u.a", Status.FAILED_TO_RUN, 0, 1)));
        index.replace(c2, Map.of("u.a", ResultRecord.claimed("u.a", "lease-1", "h", 0, "x86_64", 1, 1)));
        index.replace(c3, Map.of("u.a", ResultRecord.imported("u.a", Status.UNKNOWN, 0, 1)));
        DesiredJobs.Result r = compute(0, Set.of(), branch("main", group("g", "u.ktest", 5)));
        assertEquals(List.of("m:u.b@0/main", "s0:u.b@2/main", "c2:u.a@3/main", "c2:u.b@3/main", "c3:u.a@4/main",
                "c3:u.b@4/main"), jobs(r));
    }

    @Test
    void failuresFirstReadsTheLastTestedCommitsFromTheResultsIndexIgnoringFlakyFailures() throws IOException {
        // m is untested; s1 (tested) failed u.b for real and u.a only flakily (its re-run passed).
        index.replace(s1, Map.of("u.a", ResultRecord.imported("u.a", Status.FAILED, 5, 1).withObservation(
                        new Observation(1, Status.PASSED, "PASSED", 5, "h", 0, "l", 2)),
                "u.b", ResultRecord.imported("u.b", Status.FAILED, 5, 1)));
        DesiredJobs.Result plain = compute(0, Set.of(), branch("main", group("g", "u.ktest", 1)));
        assertEquals(List.of("m:u.a@0/main", "m:u.b@0/main"), jobs(plain), "equal costs: listing order");
        // Only m gets jobs (max_commits = 1), but the look-back reaches every commit keeping results (here 5).
        DesiredJobs.Result first = compute(5, Set.of(), branch("main", group("g", "u.ktest", 1).withFailuresFirst(1)));
        assertEquals(List.of("m:u.b@0/main", "m:u.a@0/main"), jobs(first));
        assertEquals(List.of(true, false), first.jobs().stream().map(Job::recentFailure).toList());
    }

    @Test
    void aCommitOnTwoBranchesRunsOnceOwnedByTheBranchWhereItWeighsLeast() throws Exception {
        TestRepos.setRef(repo, "refs/heads/ci/stable", c3);
        DesiredJobs.Result r = compute(0, Set.of(), branch("main", group("g", "t.ktest", 10)),
                branch("stable", group("g", "t.ktest", 10)));
        // stable walks c3 c2 c1: there c3 is age 0, not 4 as on main, though main comes first in the config.
        Map<String, String> owner = new TreeMap<>();
        r.jobs().forEach(j -> owner.merge(names.get(j.key().commit()), j.branch() + "@" + j.weight(),
                (a, b) -> a + " and " + b));
        assertEquals(Map.of("m", "main@0", "s1", "main@1", "s0", "main@2", "c3", "stable@0", "c2", "stable@1",
                "c1", "stable@2"), owner);
        Job c2Job = r.jobs().stream().filter(j -> j.key().commit().equals(c2)).findFirst().orElseThrow();
        assertEquals(List.of(new Source("/upstream/main", "main"), new Source("/upstream/stable", "stable")),
                c2Job.sources(), "every branch reaching the commit, in config order");
    }

    @Test
    void followsTheRefWhenItMovesAndReportsPendingCommitsWithinKeepResultsAsLive() throws Exception {
        TestRepos.setRef(repo, "refs/heads/ci/main", c3);
        GitRefillSource source = source(10, branch("main", group("g", "t.ktest", 2)));
        assertEquals(List.of("c3:t.a@0/main", "c2:t.a@1/main"), jobs(source.compute(k -> false, Set.of("x86_64"), 100,
                Map.of(), Set.of())));

        TestRepos.setRef(repo, "refs/heads/ci/main", m);
        // c1 is beyond max_commits but within keep_results_commits; the other sha is on no branch.
        String elsewhere = "0123456789012345678901234567890123456789";
        DesiredJobs.Result r = source.compute(k -> false, Set.of("x86_64"), 100, Map.of(), Set.of(c1, elsewhere));
        assertEquals(List.of("m:t.a@0/main", "s1:t.a@1/main"), jobs(r), "the walk is redone from the new tip");
        assertEquals(Set.of(m, s1, c1), r.liveCommits());

        // The deeper walk for liveness is cached; the next refill still uses only max_commits of it.
        DesiredJobs.Result again = source.compute(k -> false, Set.of("x86_64"), 100, Map.of(), Set.of());
        assertEquals(List.of("m:t.a@0/main", "s1:t.a@1/main"), jobs(again));
        assertEquals(Set.of(m, s1), again.liveCommits());
    }
}
