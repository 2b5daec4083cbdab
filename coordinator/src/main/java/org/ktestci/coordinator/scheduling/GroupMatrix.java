package org.ktestci.coordinator.scheduling;

import org.ktestci.schema.keys.ResultKeys;
import org.ktestci.schema.keys.Utf8ByteOrder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One test group's jobs for any commit (scheduling.md §3 step 2 without the commit): tests × subtests ×
 * kernels × arch ids in generation order, with result keys, allowed arches and costs. The same for every commit
 * of every branch naming the group, so it is built once and reused until a listing, constraint or cost changes.
 * Within the group a result key belongs to its first entry; later entries with the same key are dropped
 * ({@link #collisions()}).
 */
final class GroupMatrix {
    static final List<String> ALL_ARCHES = List.of("x86_64", "aarch64");

    /** One subtest × kernel × arch id of the group. */
    record Entry(String test, String subtest, int listingIndex, String kernel, String env, String archId,
                 String basename, String resultKey, Set<String> allowed, int cost) {
        JobKey keyAt(String commit) {
            return new JobKey(commit, test, subtest, kernel, env, archId);
        }

        /** The same job, whatever the commit: what decides a result-key collision. */
        String identity() {
            return test + "\0" + subtest + "\0" + kernel + "\0" + env + "\0" + archId;
        }
    }

    /** Two entries wanting one result key: {@code kept} came first. */
    record Collision(String resultKey, Entry kept, Entry dropped) {}

    /**
     * Window order among entries of one commit and weight (scheduling.md §3 step 5 after weight and commit): cost
     * descending, test, kernel, env, arch id, listing index; the subtest makes it total.
     */
    static final Comparator<Entry> ORDER = Comparator
            .comparing(Entry::cost, Comparator.reverseOrder())
            .thenComparing(Entry::test, Utf8ByteOrder.COMPARATOR)
            .thenComparing(Entry::kernel, Utf8ByteOrder.COMPARATOR)
            .thenComparing(Entry::env, Utf8ByteOrder.COMPARATOR)
            .thenComparing(Entry::archId, Utf8ByteOrder.COMPARATOR)
            .thenComparingInt(Entry::listingIndex)
            .thenComparing(Entry::subtest, Utf8ByteOrder.COMPARATOR);

    final GroupSpec group;
    final List<Entry> entries;
    /** Indices into {@link #entries} in {@link #ORDER}: the same for every commit. */
    final int[] windowOrder;
    private final Map<String, Entry> byKey;
    private final List<Collision> collisions;

    private GroupMatrix(GroupSpec group, List<Entry> entries, Map<String, Entry> byKey, List<Collision> collisions) {
        this.group = group;
        this.entries = entries;
        this.byKey = byKey;
        this.collisions = collisions;
        Integer[] idx = new Integer[entries.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> ORDER.compare(entries.get(a), entries.get(b)));
        this.windowOrder = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            windowOrder[i] = idx[i];
        }
    }

    /**
     * @param subtests   a test's listing (empty: listing failed; the test contributes nothing)
     * @param constraint a learned {@code config-arch} per test
     * @param cost       estimated seconds per result key
     */
    static GroupMatrix build(GroupSpec g, Function<String, Optional<List<String>>> subtests,
                             Function<String, Optional<String>> constraint, Function<String, Integer> cost) {
        String env = ResultKeys.encodeEnv(g.env());
        List<String> archIds = g.arch().size() >= 2 ? g.arch() : List.of("");
        List<String> kernels = g.kernels().isEmpty() ? List.of("") : g.kernels();
        List<Entry> entries = new ArrayList<>();
        Map<String, Entry> byKey = new HashMap<>();
        List<Collision> collisions = new ArrayList<>();
        for (String test : g.tests()) {
            Optional<List<String>> listed = subtests.apply(test);
            if (listed.isEmpty()) {
                continue;
            }
            List<String> subs = listed.get();
            for (int si = 0; si < subs.size(); si++) {
                for (String kernel : kernels) {
                    for (String archId : archIds) {
                        String basename = ResultKeys.basename(test, kernel, env, archId);
                        String key = ResultKeys.key(basename, subs.get(si));
                        Set<String> allowed = constrained(allowedArches(g, archId), constraint.apply(test));
                        Entry e = new Entry(test, subs.get(si), si, kernel, env, archId, basename, key,
                                Set.copyOf(allowed), cost.apply(key));
                        Entry first = byKey.putIfAbsent(key, e);
                        if (first == null) {
                            entries.add(e);
                        } else if (!first.identity().equals(e.identity())) {
                            collisions.add(new Collision(key, first, e));
                        }
                    }
                }
            }
        }
        return new GroupMatrix(g, List.copyOf(entries), byKey, List.copyOf(collisions));
    }

    Entry entryFor(String resultKey) {
        return byKey.get(resultKey);
    }

    List<Collision> collisions() {
        return collisions;
    }

    /** Allowed arches intersected with a learned {@code config-arch} (scheduling.md §1.1); may become empty. */
    static Set<String> constrained(Set<String> allowed, Optional<String> constraint) {
        if (constraint.isEmpty()) {
            return allowed;
        }
        return allowed.contains(constraint.get()) ? Set.of(constraint.get()) : Set.of();
    }

    static Set<String> allowedArches(GroupSpec group, String archId) {
        if (!archId.isEmpty()) {
            return Set.of(archId);
        }
        if (group.arch().size() == 1) {
            return Set.of(group.arch().get(0));
        }
        return new LinkedHashSet<>(ALL_ARCHES);
    }

    Job job(Entry e, String commit, int age, String branch, String repo) {
        return job(e, commit, age, branch, repo, false);
    }

    Job job(Entry e, String commit, int age, String branch, String repo, boolean recentFailure) {
        return new Job(e.keyAt(commit), e.resultKey(), e.basename(), group.env(), repo, List.of(), age + group.priority(),
                group.priority(), branch, group.name(), e.cost(), e.allowed(), e.listingIndex(), "", recentFailure);
    }
}
