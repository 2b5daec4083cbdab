package org.ktestci.cistatus;

import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.util.FS;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.RepoConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The commits {@code ci-status log} looks at (cli.md §2): a configured branch is its local ref
 * {@code refs/heads/<user>/<branch>} in the branch's repo; any other name is tried in {@code linux_repo} as
 * {@code refs/heads/<b>}, {@code refs/remotes/<b>}, then as given. Walked in the product's one order
 * ({@link CommitLog#walk}).
 */
final class GitHistory {
    private final CiConfig config;

    GitHistory(CiConfig config) {
        this.config = config;
    }

    /** Up to {@code n} commits from the branch's tip, newest first; empty for a configured branch not yet fetched. */
    List<CommitInfo> walk(String branch, int n) {
        BranchConfig configured = config.branches().get(branch);
        Path repoPath = configured != null ? configuredRepo(configured) : linuxRepo(branch);
        try (Repository repo = open(repoPath)) {
            Optional<ObjectId> tip = configured != null
                    ? CommitLog.branchTip(repo, config.user(), branch)
                    : Optional.of(resolveName(repo, branch));
            return tip.isEmpty() ? List.of() : CommitLog.walk(repo, tip.get(), n);
        } catch (IOException e) {
            throw new CliError("cannot read the history of " + branch + " in " + repoPath + ": " + e.getMessage());
        }
    }

    /** Whether {@code sha} contains {@code ancestor} in any configured repo that has both. */
    boolean contains(String sha, String ancestor) {
        if (sha.equals(ancestor)) {
            return true;
        }
        for (RepoConfig r : config.repos().values()) {
            try (Repository repo = open(r.path())) {
                ObjectId s = ObjectId.fromString(sha);
                ObjectId a = ObjectId.fromString(ancestor);
                if (repo.getObjectDatabase().has(s) && repo.getObjectDatabase().has(a)) {
                    try (RevWalk walk = new RevWalk(repo)) {
                        return walk.isMergedInto(walk.parseCommit(a), walk.parseCommit(s));
                    }
                }
            } catch (IOException | IllegalArgumentException | CliError e) {
                // a repo that is missing or unreadable here cannot answer; try the next
            }
        }
        return false;
    }

    private Path configuredRepo(BranchConfig branch) {
        RepoConfig repo = config.repo(branch.repo());
        if (repo == null) {
            throw new CliError("branch " + branch.name() + ": repo " + branch.repo()
                    + " has no path (set linux_repo or [repos." + branch.repo() + "])");
        }
        return repo.path();
    }

    private Path linuxRepo(String branch) {
        RepoConfig linux = config.repo("linux");
        if (linux == null) {
            throw new CliError(cantResolve(branch) + " (no linux_repo in the config)");
        }
        return linux.path();
    }

    private static ObjectId resolveName(Repository repo, String name) throws IOException {
        for (String candidate : List.of("refs/heads/" + name, "refs/remotes/" + name)) {
            if (repo.exactRef(candidate) != null) {
                ObjectId id = peelToCommit(repo, candidate);
                if (id != null) {
                    return id;
                }
            }
        }
        ObjectId asGiven = peelToCommit(repo, name);
        if (asGiven == null) {
            throw new CliError(cantResolve(name));
        }
        return asGiven;
    }

    private static ObjectId peelToCommit(Repository repo, String revision) throws IOException {
        try {
            return repo.resolve(revision + "^{commit}");
        } catch (RevisionSyntaxException | IncorrectObjectTypeException e) {
            return null;
        } catch (AmbiguousObjectException e) {
            throw new CliError("'" + revision + "' is ambiguous in " + repo.getDirectory());
        }
    }

    private static String cantResolve(String name) {
        return "can't resolve '" + name + "' — try a full ref like 'remote/branch'";
    }

    private static Repository open(Path path) throws IOException {
        File gitDir = RepositoryCache.FileKey.resolve(path.toFile(), FS.DETECTED);
        if (gitDir == null) {
            throw new CliError("not a git repository: " + path);
        }
        return new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build();
    }
}
