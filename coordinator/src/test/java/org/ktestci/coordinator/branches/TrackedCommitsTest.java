package org.ktestci.coordinator.branches;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.results.OutputDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrackedCommitsTest {
    @TempDir
    Path dir;

    private BranchSpec branch(String name, Path repo) {
        return new BranchSpec(name, "linux", repo, "", "file://" + repo, "refs/heads/main", List.of());
    }

    @Test
    void theCommitsWithinKeepOfEachTrackedTipAndTheUntestedAmongThem() throws Exception {
        Path repoDir = dir.resolve("repo");
        List<String> shas = TestRepos.commits(repoDir, 5, "bcachefs");
        AtomicInteger keep = new AtomicInteger(3);
        try (Repositories repos = new Repositories()) {
            TestRepos.setRef(repos.get(repoDir), CommitLog.localRef("ci", "main"), shas.get(4));
            TestRepos.setRef(repos.get(repoDir), CommitLog.localRef("ci", "old"), shas.get(1));
            BranchSpec main = branch("main", repoDir);
            BranchSpec unfetched = branch("unfetched", repoDir);
            TrackedCommits tracked = new TrackedCommits("ci", () -> List.of(main, branch("old", repoDir), unfetched),
                    repos, keep::get);
            assertEquals(Set.of(shas.get(4), shas.get(3), shas.get(2), shas.get(1), shas.get(0)), tracked.all());

            OutputDir out = new OutputDir(Files.createDirectories(dir.resolve("out")));
            Files.write(out.blob(shas.get(3)), new byte[] {1});
            assertEquals(2, tracked.untested(main, out), "the tip and its grandparent have no blob");
            assertEquals(0, tracked.untested(unfetched, out), "a branch never fetched has no commits yet");

            keep.set(1); // a config reload: read at each call
            assertEquals(Set.of(shas.get(4), shas.get(1)), tracked.all());
            assertEquals(1, tracked.untested(main, out));
        }
    }
}
