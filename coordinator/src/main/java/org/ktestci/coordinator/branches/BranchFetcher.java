package org.ktestci.coordinator.branches;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.schema.git.CommitLog;

import java.io.IOException;
import java.util.Optional;

/**
 * Fetches one tracked branch with JGit (no shell, no arbitrary git arguments) and force-moves its local ref
 * {@code refs/heads/<user>/<branch>}.
 */
public final class BranchFetcher {
    /** Old and new tip; {@code forced} when the old tip is not an ancestor of the new one. */
    public record FetchResult(Optional<ObjectId> oldTip, Optional<ObjectId> newTip, boolean forced) {
        public boolean changed() {
            return !oldTip.equals(newTip);
        }
    }

    private BranchFetcher() {
    }

    public static FetchResult fetch(Repository repo, String user, BranchSpec branch) throws IOException, GitAPIException {
        String local = CommitLog.localRef(user, branch.name());
        Optional<ObjectId> before = tip(repo, local);
        String remoteRef = branch.fetchRef().startsWith("refs/") ? branch.fetchRef() : "refs/heads/" + branch.fetchRef();
        try (Git git = Git.wrap(repo)) {
            git.fetch()
                    .setRemote(branch.fetchUrl())
                    .setRefSpecs(new RefSpec("+" + remoteRef + ":" + local))
                    .setTagOpt(TagOpt.NO_TAGS)
                    .call();
        }
        Optional<ObjectId> after = tip(repo, local);
        boolean forced = false;
        if (before.isPresent() && after.isPresent() && !before.equals(after)) {
            try (RevWalk walk = new RevWalk(repo)) {
                forced = !walk.isMergedInto(walk.parseCommit(before.get()), walk.parseCommit(after.get()));
            }
        }
        return new FetchResult(before, after, forced);
    }

    private static Optional<ObjectId> tip(Repository repo, String ref) throws IOException {
        Ref r = repo.exactRef(ref);
        return r == null || r.getObjectId() == null ? Optional.empty() : Optional.of(r.getObjectId());
    }
}
