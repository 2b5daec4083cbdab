package org.ktestci.coordinator.branches;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The commits the coordinator cares about: those within {@code keep_results_commits} of a tracked branch's tip
 * (the retention set GC keeps, and what the untested-commits gauge counts). Git walks: blocking, so callers run
 * it on a blocking dispatcher. Branches and the depth are read at each call (a config reload changes them).
 */
public final class TrackedCommits {
    private final String user;
    private final Supplier<List<BranchSpec>> branches;
    private final Repositories repos;
    private final IntSupplier keepResultsCommits;

    public TrackedCommits(String user, Supplier<List<BranchSpec>> branches, Repositories repos,
                          IntSupplier keepResultsCommits) {
        this.user = user;
        this.branches = branches;
        this.repos = repos;
        this.keepResultsCommits = keepResultsCommits;
    }

    /** Every commit within keep_results_commits of a tracked tip. */
    public Set<String> all() throws IOException {
        Set<String> live = new HashSet<>();
        for (BranchSpec b : branches.get()) {
            of(b).forEach(c -> live.add(c.sha()));
        }
        return live;
    }

    /** The branch's commits within keep_results_commits of its tip that have no results blob yet. */
    public long untested(BranchSpec branch, OutputDir outputDir) throws IOException {
        long untested = 0;
        for (CommitInfo c : of(branch)) {
            untested += Files.exists(outputDir.blob(c.sha())) ? 0 : 1;
        }
        return untested;
    }

    private List<CommitInfo> of(BranchSpec b) throws IOException {
        Repository repo = repos.get(b.repoPath());
        Optional<ObjectId> tip = CommitLog.branchTip(repo, user, b.name());
        return tip.isEmpty() ? List.of() : CommitLog.walk(repo, tip.get(), keepResultsCommits.getAsInt());
    }
}
