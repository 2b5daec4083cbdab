package org.ktestci.coordinator.scheduling;

import org.ktestci.schema.keys.Utf8ByteOrder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * The desired-job computation of scheduling.md §3, generated lazily in increasing weight and stopped once the
 * window is full: the result is {@link DesiredJobs}' (tests compare them), at the cost of the jobs it looks at
 * rather than the whole matrix (Δ ktest materialises the matrix on every refill).
 *
 * <p>What makes a refill after a new head incremental: each group's matrix is built once per listing; and per
 * (commit, group) the entries still without a verdict are remembered, so commits already tested cost nothing
 * the next time (verdicts only ever appear, except when cleared, which {@link Inputs#removals} reports). Not
 * thread-safe: refills run one at a time.
 */
public final class WindowPlanner {
    /** {@link DesiredJobs.Inputs} plus what the caches are keyed on. */
    public interface Inputs extends DesiredJobs.Inputs {
        /** Changes whenever a verdict of {@code commit} is removed (admin re-run, clear): cached lists are stale. */
        default long removals(String commit) {
            return 0;
        }

        /** Changes when estimated costs change (a new {@code test_durations.capnp}). */
        default long costsVersion() {
            return 0;
        }
    }

    private record MatrixKey(GroupSpec group, List<Optional<List<String>>> listings, List<Optional<String>> constraints,
                             long costs) {}

    private record Remaining(GroupMatrix matrix, long removals, int[] entries) {}

    private final Map<String, Map.Entry<MatrixKey, GroupMatrix>> matrices = new HashMap<>();
    private final Map<String, Remaining> remaining = new HashMap<>();

    /** @param pendingCommits commits of pending jobs, whose liveness the result reports */
    public DesiredJobs.Result compute(Inputs in, int window, Set<String> pendingCommits) throws IOException {
        List<BranchSpec> branches = in.branches();
        List<List<String>> histories = new ArrayList<>();
        List<List<String>> lookBacks = new ArrayList<>();
        Map<String, Map<String, Set<Source>>> sources = new HashMap<>();
        Map<Integer, Set<String>> failing = new HashMap<>();
        Set<String> shallow = new HashSet<>();
        int minW = Integer.MAX_VALUE;
        int maxW = Integer.MIN_VALUE;
        Map<String, GroupMatrix> current = new HashMap<>();
        for (BranchSpec b : branches) {
            int depth = b.groups().stream().mapToInt(GroupSpec::maxCommits).max().orElse(0);
            List<String> h = in.history(b, depth).orElse(List.of());
            histories.add(h);
            // failures_first looks back through every commit that keeps its verdicts (keep_results_commits).
            boolean lookBack = b.groups().stream().anyMatch(GroupSpec::failuresFirst);
            lookBacks.add(lookBack && in.keepResultsCommits() > depth
                    ? in.history(b, in.keepResultsCommits()).orElse(List.of()) : h);
            shallow.addAll(h);
            Map<String, Set<Source>> repoSources = sources.computeIfAbsent(b.repoName(), r -> new HashMap<>());
            for (String c : h) {
                repoSources.computeIfAbsent(c, s -> new LinkedHashSet<>()).add(new Source(b.fetchUrl(), b.fetchRef()));
            }
            for (GroupSpec g : b.groups()) {
                current.computeIfAbsent(g.name(), n -> matrix(in, g));
                minW = Math.min(minW, g.priority());
                maxW = Math.max(maxW, g.priority() + Math.min(g.maxCommits(), h.size()) - 1);
            }
        }
        remaining.values().removeIf(r -> !current.containsValue(r.matrix()));
        remaining.keySet().removeIf(k -> !shallow.contains(k.substring(0, k.indexOf('\0'))));
        Set<String> shared = sharedKeys(current);
        Set<String> arches = in.archesWithSlots();
        Set<JobKey> seen = new HashSet<>();
        Map<String, JobKey> contested = new HashMap<>();
        Map<String, Set<JobKey>> unschedulable = new TreeMap<>();
        List<Job> out = new ArrayList<>();
        int generated = 0;
        for (int w = minW; w <= maxW && out.size() < window; w++) {
            // The level's (branch, group) streams, each already in window order, merged; ties go to the earlier
            // stream, i.e. the first generated (§3 step 4). Stops as soon as the window is full.
            PriorityQueue<Cursor> merge = new PriorityQueue<>();
            List<Cursor> level = new ArrayList<>();
            int pair = 0;
            for (int bi = 0; bi < branches.size(); bi++) {
                BranchSpec b = branches.get(bi);
                List<String> h = histories.get(bi);
                int bj = bi;
                for (GroupSpec g : b.groups()) {
                    int age = w - g.priority();
                    pair++;
                    if (age < 0 || age >= Math.min(g.maxCommits(), h.size())) {
                        continue;
                    }
                    GroupMatrix m = current.get(g.name());
                    Set<String> f = failing.computeIfAbsent(pair, p -> RecentFailures.of(in, g, lookBacks.get(bj)));
                    Cursor c = new Cursor(h.get(age), m, stillWanted(in, h.get(age), m), f, pair, b, age);
                    level.add(c);
                    if (c.valid()) {
                        merge.add(c);
                    }
                }
            }
            while (!merge.isEmpty() && out.size() < window) {
                Cursor c = merge.poll();
                GroupMatrix.Entry e = c.entry();
                boolean recentFailure = c.flagged();
                c.pos++;
                if (c.valid()) {
                    merge.add(c);
                }
                JobKey key = e.keyAt(c.commit);
                if (seen.contains(key) || (recentFailure && ownedUnflaggedEarlier(level, c, e, arches))
                        || (shared.contains(e.resultKey())
                        && !ownsKey(in, branches, histories, current, c.commit, e, key, contested))
                        || in.isLeased(key)) {
                    continue;
                }
                if (e.allowed().stream().noneMatch(arches::contains)) {
                    for (String a : e.allowed().isEmpty() ? Set.of("none") : e.allowed()) {
                        unschedulable.computeIfAbsent(a, x -> new HashSet<>()).add(key);
                    }
                    continue;
                }
                seen.add(key);
                Set<Source> s = sources.get(c.branch.repoName()).getOrDefault(c.commit, Set.of());
                out.add(c.matrix.job(e, c.commit, c.age, c.branch.name(), c.branch.repoName(), recentFailure)
                        .withSources(s.stream().limit(4).toList()));
                generated++;
            }
        }
        List<Job> jobs = List.copyOf(out);
        Map<String, Integer> counts = new TreeMap<>();
        unschedulable.forEach((a, keys) -> counts.put(a, keys.size()));
        return new DesiredJobs.Result(jobs, generated, counts, live(in, branches, shallow, pendingCommits));
    }

    /**
     * A job of a {@code failures_first} group is generated at this weight by an earlier (branch, group) too, which
     * does not flag it: the first generated candidate owns the job (§3 step 4), so this one is dropped and the
     * earlier stream yields the job, unflagged, at its own place in the order.
     */
    private static boolean ownedUnflaggedEarlier(List<Cursor> level, Cursor c, GroupMatrix.Entry e, Set<String> arches) {
        for (Cursor q : level) {
            if (q.pair >= c.pair) {
                break;
            }
            if (!q.commit.equals(c.commit) || q.failing.contains(e.resultKey())) {
                continue;
            }
            GroupMatrix.Entry qe = q.matrix.entryFor(e.resultKey());
            if (qe != null && qe.identity().equals(e.identity()) && qe.allowed().stream().anyMatch(arches::contains)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One (branch, group) stream of a weight level: the commit's still-wanted entries in window order, the
     * group's recent failures first ({@code split} of them) when its order is {@code failures_first}.
     */
    private static final class Cursor implements Comparable<Cursor> {
        final String commit;
        final GroupMatrix matrix;
        final int[] idx;
        final Set<String> failing;
        final int split;
        final int pair;
        final BranchSpec branch;
        final int age;
        int pos;

        Cursor(String commit, GroupMatrix matrix, int[] wanted, Set<String> failing, int pair, BranchSpec branch,
               int age) {
            this.commit = commit;
            this.matrix = matrix;
            this.failing = failing;
            this.pair = pair;
            this.branch = branch;
            this.age = age;
            if (failing.isEmpty()) {
                this.idx = wanted;
                this.split = 0;
            } else {
                // A stable partition: recent failures first, each part still in the matrix's window order.
                int[] ordered = new int[wanted.length];
                int n = 0;
                for (int i : wanted) {
                    if (failing.contains(matrix.entries.get(i).resultKey())) {
                        ordered[n++] = i;
                    }
                }
                this.split = n;
                for (int i : wanted) {
                    if (!failing.contains(matrix.entries.get(i).resultKey())) {
                        ordered[n++] = i;
                    }
                }
                this.idx = ordered;
            }
        }

        boolean valid() {
            return pos < idx.length;
        }

        boolean flagged() {
            return pos < split;
        }

        GroupMatrix.Entry entry() {
            return matrix.entries.get(idx[pos]);
        }

        @Override
        public int compareTo(Cursor o) {
            int c = Utf8ByteOrder.compare(commit, o.commit);
            if (c == 0) {
                c = Boolean.compare(o.flagged(), flagged());
            }
            if (c == 0) {
                c = GroupMatrix.ORDER.compare(entry(), o.entry());
            }
            return c != 0 ? c : Integer.compare(pair, o.pair);
        }
    }

    /** The group's entries without a verdict at {@code commit}, from the cache and pruned as verdicts appear. */
    private int[] stillWanted(Inputs in, String commit, GroupMatrix m) {
        String cacheKey = commit + "\0" + m.group.name();
        long removals = in.removals(commit);
        Remaining r = remaining.get(cacheKey);
        int[] from;
        if (r != null && r.matrix() == m && r.removals() == removals) {
            from = r.entries();
        } else {
            from = m.windowOrder;
        }
        int[] kept = new int[from.length];
        int n = 0;
        for (int idx : from) {
            if (!in.hasVerdict(commit, m.entries.get(idx).resultKey())) {
                kept[n++] = idx;
            }
        }
        int[] result = n == kept.length ? kept : Arrays.copyOf(kept, n);
        remaining.put(cacheKey, new Remaining(m, removals, result));
        return result;
    }

    private GroupMatrix matrix(Inputs in, GroupSpec g) {
        List<Optional<List<String>>> listings = new ArrayList<>();
        List<Optional<String>> constraints = new ArrayList<>();
        for (String t : g.tests()) {
            listings.add(in.subtests(t));
            constraints.add(in.archConstraint(t));
        }
        MatrixKey key = new MatrixKey(g, listings, constraints, in.costsVersion());
        Map.Entry<MatrixKey, GroupMatrix> cached = matrices.get(g.name());
        if (cached != null && cached.getKey().equals(key)) {
            return cached.getValue();
        }
        Map<String, Optional<List<String>>> byTest = new HashMap<>();
        Map<String, Optional<String>> constraintByTest = new HashMap<>();
        for (int i = 0; i < g.tests().size(); i++) {
            byTest.put(g.tests().get(i), listings.get(i));
            constraintByTest.put(g.tests().get(i), constraints.get(i));
        }
        GroupMatrix m = GroupMatrix.build(g, byTest::get, constraintByTest::get, in::costOf);
        m.collisions().forEach(c -> in.collision(c.resultKey(), c.kept().keyAt(""), c.dropped().keyAt("")));
        matrices.put(g.name(), Map.entry(key, m));
        return m;
    }

    /**
     * Whether {@code key} owns its result key at {@code commit}: the first generator in §3 step 2 order (branch,
     * group, entry; a commit has one age per branch) among every group reaching the commit. Only keys that two
     * groups produce need the search; the answer is remembered for the refill.
     */
    private static boolean ownsKey(Inputs in, List<BranchSpec> branches, List<List<String>> histories,
                                   Map<String, GroupMatrix> matrices, String commit, GroupMatrix.Entry e, JobKey key,
                                   Map<String, JobKey> contested) {
        String k = commit + "\0" + e.resultKey();
        JobKey owner = contested.get(k);
        if (owner == null) {
            owner = firstGenerator(branches, histories, matrices, commit, e.resultKey());
            contested.put(k, owner);
            if (!owner.equals(key)) {
                in.collision(e.resultKey(), owner, key);
            }
        }
        return owner.equals(key);
    }

    private Map<String, GroupMatrix> sharedFor = Map.of();
    private Set<String> shared = Set.of();

    /** Result keys two different jobs of the current groups produce (rare: §1.2 collisions), per matrix set. */
    private Set<String> sharedKeys(Map<String, GroupMatrix> current) {
        if (!current.equals(sharedFor)) {
            Map<String, String> identityByKey = new HashMap<>();
            Set<String> s = new HashSet<>();
            for (GroupMatrix m : current.values()) {
                for (GroupMatrix.Entry e : m.entries) {
                    String other = identityByKey.putIfAbsent(e.resultKey(), e.identity());
                    if (other != null && !other.equals(e.identity())) {
                        s.add(e.resultKey());
                    }
                }
            }
            shared = s;
            sharedFor = Map.copyOf(current);
        }
        return shared;
    }

    private static JobKey firstGenerator(List<BranchSpec> branches, List<List<String>> histories,
                                         Map<String, GroupMatrix> matrices, String commit, String resultKey) {
        for (int bi = 0; bi < branches.size(); bi++) {
            int age = histories.get(bi).indexOf(commit);
            if (age < 0) {
                continue;
            }
            for (GroupSpec g : branches.get(bi).groups()) {
                GroupMatrix.Entry e = matrices.get(g.name()).entryFor(resultKey);
                if (age < g.maxCommits() && e != null) {
                    return e.keyAt(commit);
                }
            }
        }
        throw new IllegalStateException("no generator of " + resultKey + " at " + commit);
    }

    /** Pending commits within keep_results_commits of a tip: a deeper walk only when one is outside the shallow one. */
    private static Set<String> live(Inputs in, List<BranchSpec> branches, Set<String> shallow, Set<String> pending)
            throws IOException {
        Set<String> live = new HashSet<>();
        Set<String> unknown = new HashSet<>();
        for (String c : pending) {
            (shallow.contains(c) ? live : unknown).add(c);
        }
        if (!unknown.isEmpty() && in.keepResultsCommits() > 0) {
            for (BranchSpec b : branches) {
                for (String c : in.history(b, in.keepResultsCommits()).orElse(List.of())) {
                    if (unknown.remove(c)) {
                        live.add(c);
                    }
                }
            }
        }
        live.addAll(shallow);
        return live;
    }
}
