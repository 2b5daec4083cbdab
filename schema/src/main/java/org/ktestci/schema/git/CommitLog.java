package org.ktestci.schema.git;

import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks history the one way every part of the product does (scheduling.md §3.1): from a tip in
 * {@code git rev-list} order ({@link RevSort#COMMIT_TIME_DESC}, all parents), so that a commit's age is
 * its {@code rev-list} index everywhere.
 */
public final class CommitLog {
    private CommitLog() {
    }

    /** The local ref a tracked branch is fetched into. */
    public static String localRef(String user, String branch) {
        return "refs/heads/" + user + "/" + branch;
    }

    public static Optional<ObjectId> branchTip(Repository repo, String user, String branch) throws IOException {
        Ref ref = repo.exactRef(localRef(user, branch));
        return ref == null || ref.getObjectId() == null ? Optional.empty() : Optional.of(ref.getObjectId());
    }

    public static List<CommitInfo> walk(Repository repo, ObjectId tip, int max) throws IOException {
        List<CommitInfo> out = new ArrayList<>();
        if (max <= 0) {
            return out;
        }
        try (RevWalk walk = new RevWalk(repo)) {
            walk.sort(RevSort.COMMIT_TIME_DESC);
            walk.markStart(walk.parseCommit(tip));
            for (RevCommit c : walk) {
                out.add(info(c));
                if (out.size() >= max) {
                    break;
                }
            }
        }
        return out;
    }

    /** The commit if the repository has it. */
    public static Optional<CommitInfo> lookup(Repository repo, String sha) throws IOException {
        ObjectId id;
        try {
            id = ObjectId.fromString(sha);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!repo.getObjectDatabase().has(id)) {
            return Optional.empty();
        }
        try (RevWalk walk = new RevWalk(repo)) {
            return Optional.of(info(walk.parseCommit(id)));
        } catch (IncorrectObjectTypeException e) {
            return Optional.empty();
        }
    }

    static CommitInfo info(RevCommit c) {
        return new CommitInfo(c.getName(), c.getShortMessage(), c.getFullMessage(),
                c.getAuthorIdent().getName(), c.getAuthorIdent().getEmailAddress(), c.getCommitTime());
    }
}
