package org.ktestci.coordinator.queries;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.ktestci.coordinator.branches.BranchFetchStatus;
import org.ktestci.coordinator.branches.Repositories;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.dashboard.BranchSummary;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.git.UrlCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The tracked branches' history, read from the local repos: tips, logs, commits and ancestry. The coordinator's
 * parts use it before the actor system exists (commit messages for the projection, a verdict's branches for the
 * live events); the dashboard's queries answer from it.
 */
public final class BranchHistory {
    private static final Logger LOG = LoggerFactory.getLogger(BranchHistory.class);

    private final String user;
    private final IntSupplier keep;
    private final Supplier<List<BranchSpec>> branches;
    private final Repositories repos;
    private final BranchFetchStatus fetchStatus;
    /** (sha, ancestor) → contains: commits never change, so answers never expire (bounded by clearing). */
    private final Map<String, Boolean> contains = new ConcurrentHashMap<>();

    /** {@code branches} and {@code keepResultsCommits} are read at each query: a config reload changes them. */
    public BranchHistory(String user, IntSupplier keepResultsCommits, Supplier<List<BranchSpec>> branches,
                         Repositories repos, BranchFetchStatus fetchStatus) {
        this.user = user;
        this.keep = keepResultsCommits;
        this.branches = branches;
        this.repos = repos;
        this.fetchStatus = fetchStatus;
    }

    public String user() {
        return user;
    }

    public int keepResultsCommits() {
        return keep.getAsInt();
    }

    public boolean commitContains(String sha, String ancestor) {
        if (sha.equals(ancestor)) {
            return true;
        }
        String key = sha + ancestor;
        Boolean known = contains.get(key);
        if (known != null) {
            return known;
        }
        boolean found = false;
        Set<Path> seen = new LinkedHashSet<>();
        for (BranchSpec b : branches.get()) {
            if (found || !seen.add(b.repoPath())) {
                continue;
            }
            try {
                Repository repo = repos.get(b.repoPath());
                ObjectId s = ObjectId.fromString(sha);
                ObjectId a = ObjectId.fromString(ancestor);
                if (repo.getObjectDatabase().has(s) && repo.getObjectDatabase().has(a)) {
                    try (RevWalk walk = new RevWalk(repo)) {
                        found = walk.isMergedInto(walk.parseCommit(a), walk.parseCommit(s));
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("ancestry check failed: repo={} commit={} ancestor={}: {}", b.repoPath(), sha, ancestor,
                        e.getMessage());
            }
        }
        if (contains.size() > 100_000) {
            contains.clear();
        }
        contains.put(key, found);
        return found;
    }

    public List<BranchSummary> branches() {
        List<BranchSummary> out = new ArrayList<>();
        for (BranchSpec b : branches.get()) {
            Optional<CommitInfo> tip = tipOf(b);
            var status = fetchStatus.of(b.name());
            out.add(new BranchSummary(b.name(), b.repoName(), UrlCredentials.mask(b.fetchUrl()) + " " + b.fetchRef(),
                    b.groups().stream().map(GroupSpec::name).toList(), tip.map(CommitInfo::sha),
                    tip.map(CommitInfo::subject), status.map(BranchFetchStatus.Entry::at),
                    status.flatMap(BranchFetchStatus.Entry::error)));
        }
        return out;
    }

    public Optional<List<CommitInfo>> branchLog(String branch, int max) {
        Optional<BranchSpec> spec = branches.get().stream().filter(b -> b.name().equals(branch)).findFirst();
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        try {
            Repository repo = repos.get(spec.get().repoPath());
            Optional<ObjectId> tip = CommitLog.branchTip(repo, user, branch);
            return Optional.of(tip.isEmpty() ? List.of() : CommitLog.walk(repo, tip.get(), max));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<CommitInfo> commit(String sha) {
        Set<Path> seen = new LinkedHashSet<>();
        for (BranchSpec b : branches.get()) {
            if (seen.add(b.repoPath())) {
                try {
                    Optional<CommitInfo> c = CommitLog.lookup(repos.get(b.repoPath()), sha);
                    if (c.isPresent()) {
                        return c;
                    }
                } catch (IOException e) {
                    LOG.warn("commit lookup failed: repo={} commit={}: {}", b.repoPath(), sha, e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    public List<String> branchesContaining(String sha) {
        List<String> out = new ArrayList<>();
        for (BranchSpec b : branches.get()) {
            Optional<List<CommitInfo>> log = branchLog(b.name(), keep.getAsInt());
            if (log.isPresent() && log.get().stream().anyMatch(c -> c.sha().equals(sha))) {
                out.add(b.name());
            }
        }
        return out;
    }

    /** The branch specs (deep hash: a config reload changes it), each tip and fetch status. */
    String version() {
        List<BranchSpec> specs = branches.get();
        StringBuilder v = new StringBuilder().append(keep.getAsInt()).append(' ').append(specs.hashCode());
        for (BranchSpec b : specs) {
            v.append('|').append(b.name()).append(' ');
            try {
                v.append(CommitLog.branchTip(repos.get(b.repoPath()), user, b.name()).map(ObjectId::getName)
                        .orElse("-"));
            } catch (IOException e) {
                v.append("unreadable");
            }
            fetchStatus.of(b.name()).ifPresent(f -> v.append(' ').append(f.at()).append(' ')
                    .append(f.error().orElse("")));
        }
        return v.toString();
    }

    private Optional<CommitInfo> tipOf(BranchSpec b) {
        try {
            Repository repo = repos.get(b.repoPath());
            Optional<ObjectId> tip = CommitLog.branchTip(repo, user, b.name());
            return tip.isEmpty() ? Optional.empty() : CommitLog.lookup(repo, tip.get().getName());
        } catch (IOException e) {
            LOG.warn("cannot read tip: branch={}: {}", b.name(), e.getMessage());
            return Optional.empty();
        }
    }
}
