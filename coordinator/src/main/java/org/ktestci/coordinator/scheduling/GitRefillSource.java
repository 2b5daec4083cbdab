package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.bisect.BisectionGraph;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The production {@link RefillSource}: branches from config, history from git (walks cached per tip and
 * depth), listings from the listing cache, verdicts from the results index, costs from
 * {@code test_durations.capnp}, computed by the incremental {@link WindowPlanner}.
 */
public final class GitRefillSource implements RefillSource {
    private static final Logger LOG = LoggerFactory.getLogger(GitRefillSource.class);

    private final String user;
    private final Supplier<List<BranchSpec>> branches;
    private final RepositoryOpener repos;
    private final SubtestListingCache listings;
    private final ResultsIndex index;
    private final DurationCosts costs;
    private final IntSupplier keepResultsCommits;
    private final Runnable onCollision;
    private final WindowPlanner planner = new WindowPlanner();
    private final Map<String, Walk> walks = new HashMap<>();
    private final Set<String> reportedCollisions = new HashSet<>();

    private record Walk(ObjectId tip, int depth, List<String> commits) {}

    /** {@code flake_retries} (issue 14), read at each refill: a config reload changes it. */
    private final IntSupplier flakeRetries;

    /** Issue 14 item 3: the search's inputs and where its findings go; the keys its jobs in flight have. */
    private final BisectionHooks bisection;
    private volatile Set<JobKey> bisectionInFlight = Set.of();

    public GitRefillSource(String user, List<BranchSpec> branches, RepositoryOpener repos, SubtestListingCache listings,
                           ResultsIndex index, DurationCosts costs, int keepResultsCommits, Runnable onCollision) {
        this(user, constant(List.copyOf(branches)), repos, listings, index, costs, () -> keepResultsCommits,
                onCollision, () -> 0, BisectionHooks.NONE);
    }

    private static <T> Supplier<T> constant(T value) {
        return () -> value;
    }

    /**
     * {@code branches}, {@code keepResultsCommits}, {@code flakeRetries} and the search's branch configs are read at
     * each refill: a config reload changes them.
     */
    public GitRefillSource(String user, Supplier<List<BranchSpec>> branches, RepositoryOpener repos,
                           SubtestListingCache listings, ResultsIndex index, DurationCosts costs,
                           IntSupplier keepResultsCommits, Runnable onCollision, IntSupplier flakeRetries,
                           BisectionHooks bisection) {
        this.user = user;
        this.branches = branches;
        this.repos = repos;
        this.listings = listings;
        this.index = index;
        this.costs = costs;
        this.keepResultsCommits = keepResultsCommits;
        this.onCollision = onCollision;
        this.flakeRetries = flakeRetries;
        this.bisection = bisection;
    }

    @Override
    public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> archesWithSlots, int window,
                                      Map<String, ArchConstraint> constraints, Set<String> pendingCommits)
            throws IOException {
        costs.refresh();
        List<BranchSpec> current = branches.get();
        int keep = keepResultsCommits.getAsInt();
        Reads reads = new Reads(current, constraints, keep, excluded, archesWithSlots);
        DesiredJobs.Result planned = planner.compute(reads, window, pendingCommits);
        int raised = planned.jobs().stream().mapToInt(Job::weight).min().orElse(0) - 1;
        List<Job> reruns = FlakeReruns.compute(reads, flakeRetries.getAsInt(), raised);
        BisectionJobs.Result bisections = BisectionJobs.compute(reads, flakeRetries.getAsInt(), raised);
        bisectionInFlight = bisections.inFlight();
        bisections.findings().forEach(f -> bisection.recordFirstBad().accept(
                new ResultsStore.RecordFirstBad(f.commit(), f.key(), f.firstBad())));
        if (reruns.isEmpty() && bisections.jobs().isEmpty()) {
            return planned;
        }
        // A search's job at a commit the window also wants is kept once, at the search's raised weight.
        Set<JobKey> extra = new HashSet<>();
        List<Job> jobs = new ArrayList<>(reruns);
        reruns.forEach(j -> extra.add(j.key()));
        for (Job j : bisections.jobs()) {
            if (extra.add(j.key())) {
                jobs.add(j);
            }
        }
        int added = jobs.size();
        planned.jobs().stream().filter(j -> !extra.contains(j.key())).forEach(jobs::add);
        jobs.sort(JobOrder.WINDOW);
        return new DesiredJobs.Result(List.copyOf(jobs), planned.desiredBeforeTruncation() + added,
                planned.unschedulable(), planned.liveCommits());
    }

    /** A lease of a search's job ended: its verdict moves the search on, so the window refills at once. */
    @Override
    public boolean refillAfter(JobKey key) {
        return bisectionInFlight.contains(key);
    }

    /** What the window planner, flake re-runs and searches read, for one refill. */
    private final class Reads implements WindowPlanner.Inputs, BisectionJobs.Inputs {
        private final List<BranchSpec> current;
        private final Map<String, ArchConstraint> constraints;
        private final int keep;
        private final Predicate<JobKey> excluded;
        private final Set<String> archesWithSlots;

        Reads(List<BranchSpec> current, Map<String, ArchConstraint> constraints, int keep,
              Predicate<JobKey> excluded, Set<String> archesWithSlots) {
            this.current = current;
            this.constraints = constraints;
            this.keep = keep;
            this.excluded = excluded;
            this.archesWithSlots = archesWithSlots;
        }

        @Override
        public List<BranchSpec> branches() {
            return current;
        }

        @Override
        public Optional<List<String>> history(BranchSpec branch, int depth) throws IOException {
            return walk(branch, depth);
        }

        @Override
        public Optional<List<String>> subtests(String test) {
            return listings.subtests(test);
        }

        @Override
        public Optional<String> archConstraint(String test) {
            ArchConstraint c = constraints.get(test);
            return c != null && c.listingMtime() == listings.listingMtime(test) ? Optional.of(c.arch())
                    : Optional.empty();
        }

        @Override
        public int costOf(String resultKey) {
            return costs.cost(resultKey);
        }

        @Override
        public int keepResultsCommits() {
            return keep;
        }

        @Override
        public Map<String, ResultRecord> results(String commit) {
            return index.commit(commit);
        }

        @Override
        public boolean excluded(JobKey key) {
            return excluded.test(key);
        }

        @Override
        public Set<String> archesWithSlots() {
            return archesWithSlots;
        }

        @Override
        public BisectionJobs.Settings settings(String branch) {
            return bisection.branchConfigs().apply(branch)
                    .map(b -> new BisectionJobs.Settings(b.bisect(), b.bisectMaxJobs()))
                    .orElse(new BisectionJobs.Settings(true, BranchConfig.DEFAULT_BISECT_MAX_JOBS));
        }

        @Override
        public Optional<Map<String, List<String>>> region(BranchSpec branch, String bad, Set<String> good,
                                                          int limit) throws IOException {
            return BisectionGraph.region(repos.get(branch.repoPath()), bad, good, limit);
        }

        @Override
        public Optional<CommitInfo> describe(BranchSpec branch, String sha) throws IOException {
            return CommitLog.lookup(repos.get(branch.repoPath()), sha);
        }

        @Override
        public boolean known(String sha, String key) {
            return bisection.knownFailures().masks(sha, key);
        }

        @Override
        public boolean hasVerdict(String commit, String resultKey) {
            // A quarantined commit (its results unreadable) counts as done: nothing runs for it.
            return index.hasVerdict(commit, resultKey) || index.isQuarantined(commit);
        }

        @Override
        public boolean isLeased(JobKey key) {
            return excluded.test(key);
        }

        @Override
        public long costsVersion() {
            return costs.version();
        }

        @Override
        public long removals(String commit) {
            return index.removals(commit);
        }

        @Override
        public Optional<Set<String>> failures(String commit) {
            return index.failures(commit);
        }

        @Override
        public void collision(String resultKey, JobKey kept, JobKey dropped) {
            if (reportedCollisions.add(resultKey + "\0" + dropped)) {
                LOG.warn("result key collision: {} ({}:{} vs {}:{})", resultKey, kept.test(), kept.subtest(),
                        dropped.test(), dropped.subtest());
                onCollision.run();
            }
        }
    }


    /** A branch's history to {@code depth}, walked again only when its tip moved or a deeper walk is wanted. */
    private Optional<List<String>> walk(BranchSpec branch, int depth) throws IOException {
        Repository repo = repos.get(branch.repoPath());
        Optional<ObjectId> tip = CommitLog.branchTip(repo, user, branch.name());
        if (tip.isEmpty()) {
            return Optional.empty(); // never fetched yet
        }
        Walk w = walks.get(branch.name());
        if (w == null || !w.tip().equals(tip.get()) || (w.depth() < depth && w.commits().size() >= w.depth())) {
            List<String> commits = CommitLog.walk(repo, tip.get(), depth).stream().map(CommitInfo::sha).toList();
            w = new Walk(tip.get(), depth, commits);
            walks.put(branch.name(), w);
        }
        return Optional.of(w.commits().subList(0, Math.min(depth, w.commits().size())));
    }

    @Override
    public long listingMtime(String test) {
        return listings.listingMtime(test);
    }
}
