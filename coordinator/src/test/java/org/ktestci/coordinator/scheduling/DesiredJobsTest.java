package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DesiredJobsTest {
    private static GroupSpec group(String name, int maxCommits, int priority, List<String> arch) {
        return new GroupSpec(name, List.of("demo/smoke.ktest"), maxCommits, priority, List.of(), new TreeMap<>(), arch);
    }

    private static DesiredJobs.Inputs inputs(Repository repo, List<BranchSpec> branches, Set<String> verdicts,
                                             Set<String> arches) {
        return new DesiredJobs.Inputs() {
            public String user() {
                return "ci";
            }

            public List<BranchSpec> branches() {
                return branches;
            }

            public Repository repository(BranchSpec b) {
                return repo;
            }

            public Optional<List<String>> subtests(String test) {
                return Optional.of(List.of("b", "a"));
            }

            public boolean hasVerdict(String commit, String key) {
                return verdicts.contains(commit + " " + key);
            }

            public boolean isLeased(JobKey key) {
                return false;
            }

            public Set<String> archesWithSlots() {
                return arches;
            }

            public int costOf(String key) {
                return 30;
            }
        };
    }

    @Test
    void ordersNewestCommitFirstThenListingOrderAndDedupsAcrossBranches(@TempDir Path dir) throws Exception {
        List<String> shas = TestRepos.commits(dir, 3, "x");
        try (Git git = Git.open(dir.toFile())) {
            Repository repo = git.getRepository();
            TestRepos.setRef(repo, "refs/heads/ci/main", shas.get(2));
            TestRepos.setRef(repo, "refs/heads/ci/old", shas.get(1));
            List<BranchSpec> branches = List.of(
                    new BranchSpec("main", "linux", dir, "", "/up", "main", List.of(group("g", 2, 0, List.of()))),
                    new BranchSpec("old", "linux", dir, "", "/up2", "old", List.of(group("g", 2, 0, List.of()))));
            DesiredJobs.Result r = DesiredJobs.compute(
                    inputs(repo, branches, Set.of(shas.get(2) + " demo.smoke.a"), Set.of("x86_64")), 100);
            List<String> order = r.jobs().stream()
                    .map(j -> j.key().commit() + ":" + j.key().subtest() + ":" + j.weight()).toList();
            // Weight 0: the tip of main (minus the key with a verdict) and shas[1], which is age 1 on main but
            // age 0 on old; ties sort by commit in byte order, then listing order (b before a). Weight 1: shas[0].
            List<String> weightZero = new java.util.ArrayList<>(List.of(
                    shas.get(2) + ":b:0", shas.get(1) + ":b:0", shas.get(1) + ":a:0"));
            weightZero.sort(java.util.Comparator.comparing((String x) -> x.substring(0, 40))
                    .thenComparing(x -> x.contains(":b:") ? 0 : 1));
            List<String> expected = new java.util.ArrayList<>(weightZero);
            expected.add(shas.get(0) + ":b:1");
            expected.add(shas.get(0) + ":a:1");
            assertEquals(expected, order);
            Job shared = r.jobs().stream().filter(j -> j.key().commit().equals(shas.get(1))).findFirst().orElseThrow();
            assertEquals("old", shared.branch(), "the candidate with the smallest weight owns the job");
            assertEquals(List.of(new Source("/up", "main"), new Source("/up2", "old")), shared.sources());
            assertEquals("demo.smoke.b", shared.resultKey());
        }
    }

    @Test
    void keepsJobsWithoutAnAllowedArchOutOfTheWindowAndCountsThem(@TempDir Path dir) throws Exception {
        List<String> shas = TestRepos.commits(dir, 1, "x");
        try (Git git = Git.open(dir.toFile())) {
            Repository repo = git.getRepository();
            TestRepos.setRef(repo, "refs/heads/ci/main", shas.get(0));
            List<BranchSpec> branches = List.of(new BranchSpec("main", "linux", dir, "", "/up", "main",
                    List.of(group("arm", 5, 0, List.of("aarch64")))));
            DesiredJobs.Result r = DesiredJobs.compute(inputs(repo, branches, Set.of(), Set.of("x86_64")), 100);
            assertTrue(r.jobs().isEmpty());
            assertEquals(Map.of("aarch64", 2), r.unschedulable());
        }
    }

    @Test
    void truncatesToTheWindowKeepingTheBestJobs(@TempDir Path dir) throws Exception {
        List<String> shas = TestRepos.commits(dir, 4, "x");
        try (Git git = Git.open(dir.toFile())) {
            Repository repo = git.getRepository();
            TestRepos.setRef(repo, "refs/heads/ci/main", shas.get(3));
            List<BranchSpec> branches = List.of(new BranchSpec("main", "linux", dir, "", "/up", "main",
                    List.of(group("g", 50, 0, List.of()))));
            DesiredJobs.Result r = DesiredJobs.compute(inputs(repo, branches, Set.of(), Set.of("x86_64")), 3);
            assertEquals(8, r.desiredBeforeTruncation());
            assertEquals(3, r.jobs().size());
            assertEquals(List.of(shas.get(3), shas.get(3), shas.get(2)),
                    r.jobs().stream().map(j -> j.key().commit()).toList());
            assertEquals(List.of("b", "a", "b"), r.jobs().stream().map(j -> j.key().subtest()).toList());
        }
    }

    @Test
    void skipsBranchesThatWereNeverFetched(@TempDir Path dir) throws Exception {
        TestRepos.commits(dir, 1, "x");
        try (Git git = Git.open(dir.toFile())) {
            List<BranchSpec> branches = List.of(new BranchSpec("main", "linux", dir, "", "/up", "main",
                    List.of(group("g", 5, 0, List.of()))));
            assertTrue(DesiredJobs.compute(inputs(git.getRepository(), branches, Set.of(), Set.of("x86_64")), 10)
                    .jobs().isEmpty());
        } catch (IOException e) {
            throw e;
        }
    }
}
