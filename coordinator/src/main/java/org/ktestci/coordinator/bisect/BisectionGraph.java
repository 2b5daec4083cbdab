package org.ktestci.coordinator.bisect;

import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The region {@link BisectionPlan} searches, read from git: blocking. */
public final class BisectionGraph {
    private BisectionGraph() {
    }

    /**
     * {@code git rev-list <bad> --not <good>} in the branch walk's order (newest commit time first), each commit with
     * its parents; empty when it holds more than {@code limit} commits (no good commit bounds it within the history
     * the coordinator keeps) or {@code bad} is not in the repository. Good commits the repository lacks are ignored.
     */
    public static Optional<Map<String, List<String>>> region(Repository repo, String bad, Collection<String> good,
                                                             int limit) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            walk.sort(RevSort.COMMIT_TIME_DESC);
            try {
                walk.markStart(walk.parseCommit(ObjectId.fromString(bad)));
            } catch (MissingObjectException e) {
                return Optional.empty();
            }
            for (String g : good) {
                try {
                    walk.markUninteresting(walk.parseCommit(ObjectId.fromString(g)));
                } catch (MissingObjectException e) {
                    // a good commit of another history: bounds nothing here
                }
            }
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (RevCommit c : walk) {
                if (out.size() >= limit) {
                    return Optional.empty();
                }
                List<String> parents = new ArrayList<>(c.getParentCount());
                for (RevCommit p : c.getParents()) {
                    parents.add(p.getName());
                }
                out.put(c.getName(), List.copyOf(parents));
            }
            return Optional.of(out);
        }
    }
}
