package org.ktestci.coordinator.scheduling;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The desired-job computation of scheduling.md §3 exactly as written: walk every branch, expand every group ×
 * test × subtest × kernel × arch id × age, resolve result-key collisions in generation order, drop what has a
 * verdict, is leased or has no slot, dedup by {@link JobKey} keeping the smallest weight, sort in window order,
 * truncate. It materialises the whole matrix: production uses {@link WindowPlanner}, which must give the same
 * jobs (tests compare the two), and bench/ compares their cost.
 */
public final class FullDesiredJobs {
    private FullDesiredJobs() {
    }

    public static DesiredJobs.Result compute(DesiredJobs.Inputs in, int window) throws IOException {
        Map<JobKey, Job> best = new LinkedHashMap<>();
        Map<String, Map<String, Set<Source>>> sources = new HashMap<>();
        Map<String, Set<JobKey>> unschedulable = new TreeMap<>();
        Map<String, JobKey> keyOwner = new HashMap<>();
        Set<String> arches = in.archesWithSlots();
        Set<String> live = new HashSet<>();
        Map<String, GroupMatrix> matrices = new HashMap<>();
        for (BranchSpec branch : in.branches()) {
            int depth = branch.groups().stream().mapToInt(GroupSpec::maxCommits).max().orElse(0);
            Optional<List<String>> walked = in.history(branch, Math.max(depth, in.keepResultsCommits()));
            if (walked.isEmpty()) {
                continue; // never fetched yet
            }
            live.addAll(walked.get());
            List<String> commits = walked.get().subList(0, Math.min(depth, walked.get().size()));
            Map<String, Set<Source>> repoSources = sources.computeIfAbsent(branch.repoName(), r -> new HashMap<>());
            for (String c : commits) {
                repoSources.computeIfAbsent(c, s -> new LinkedHashSet<>())
                        .add(new Source(branch.fetchUrl(), branch.fetchRef()));
            }
            for (GroupSpec g : branch.groups()) {
                GroupMatrix m = matrices.computeIfAbsent(g.name(), n -> {
                    GroupMatrix built = GroupMatrix.build(g, in::subtests, in::archConstraint, in::costOf);
                    built.collisions().forEach(c -> in.collision(c.resultKey(), c.kept().keyAt(""),
                            c.dropped().keyAt("")));
                    return built;
                });
                int ages = Math.min(g.maxCommits(), commits.size());
                Set<String> failing = RecentFailures.of(in, g, walked.get());
                for (GroupMatrix.Entry e : m.entries) {
                    for (int age = 0; age < ages; age++) {
                        String sha = commits.get(age);
                        JobKey key = e.keyAt(sha);
                        JobKey owner = keyOwner.putIfAbsent(sha + "\0" + e.resultKey(), key);
                        if (owner != null && !owner.equals(key)) {
                            in.collision(e.resultKey(), owner, key);
                            continue;
                        }
                        if (in.hasVerdict(sha, e.resultKey()) || in.isLeased(key)) {
                            continue;
                        }
                        if (e.allowed().stream().noneMatch(arches::contains)) {
                            for (String a : e.allowed().isEmpty() ? Set.of("none") : e.allowed()) {
                                unschedulable.computeIfAbsent(a, x -> new HashSet<>()).add(key);
                            }
                            continue;
                        }
                        Job existing = best.get(key);
                        if (existing == null || age + g.priority() < existing.weight()) {
                            best.put(key, m.job(e, sha, age, branch.name(), branch.repoName(),
                                    failing.contains(e.resultKey())));
                        }
                    }
                }
            }
        }
        List<Job> jobs = new ArrayList<>(best.size());
        for (Job j : best.values()) {
            Set<Source> s = sources.getOrDefault(j.repo(), Map.of()).getOrDefault(j.key().commit(), Set.of());
            jobs.add(j.withSources(s.stream().limit(4).toList()));
        }
        jobs.sort(JobOrder.WINDOW);
        Map<String, Integer> counts = new TreeMap<>();
        unschedulable.forEach((a, keys) -> counts.put(a, keys.size()));
        List<Job> window0 = jobs.size() > window ? List.copyOf(jobs.subList(0, window)) : List.copyOf(jobs);
        return new DesiredJobs.Result(window0, jobs.size(), counts, Set.copyOf(live));
    }
}
