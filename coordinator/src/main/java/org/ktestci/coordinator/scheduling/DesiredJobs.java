package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.keys.ResultKeys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The desired-job computation of scheduling.md §3: walk every branch, expand groups × tests × subtests ×
 * kernels × arch ids × commit ages, drop what has a verdict or is leased or has no slot, dedup by
 * {@link JobKey} keeping the smallest weight, sort in window order, truncate to the window.
 */
public final class DesiredJobs {
    static final List<String> ALL_ARCHES = List.of("x86_64", "aarch64");

    /** What the computation needs from the rest of the coordinator; implementations may block. */
    public interface Inputs {
        String user();

        List<BranchSpec> branches();

        Repository repository(BranchSpec branch) throws IOException;

        /** Subtests of a test file in listing order; empty when the listing failed (reported elsewhere). */
        Optional<List<String>> subtests(String test);

        boolean hasVerdict(String commit, String resultKey);

        boolean isLeased(JobKey key);

        Set<String> archesWithSlots();

        int costOf(String resultKey);

        /** How many commits from each tip keep their results (retention, and "left the branches"). */
        default int keepResultsCommits() {
            return 0;
        }

        /** The arch a test declared with {@code config-arch}, if learned for its current listing. */
        default Optional<String> archConstraint(String test) {
            return Optional.empty();
        }
    }

    /**
     * {@code jobs}: the window, in window order; {@code liveCommits}: every commit within
     * {@code keep_results_commits} of a tracked tip (a pending job outside it left the branches).
     */
    public record Result(List<Job> jobs, int desiredBeforeTruncation, Map<String, Integer> unschedulable,
                         Set<String> liveCommits) {
        public Result(List<Job> jobs, int desiredBeforeTruncation, Map<String, Integer> unschedulable) {
            this(jobs, desiredBeforeTruncation, unschedulable, Set.of());
        }
    }

    private DesiredJobs() {
    }

    public static Result compute(Inputs in, int window) throws IOException {
        Map<JobKey, Job> best = new LinkedHashMap<>();
        Map<String, Map<String, Set<Source>>> sourcesByRepoCommit = new HashMap<>();
        Map<String, Integer> unschedulable = new TreeMap<>();
        Set<String> arches = in.archesWithSlots();
        Set<String> live = new java.util.HashSet<>();
        for (BranchSpec branch : in.branches()) {
            Repository repo = in.repository(branch);
            Optional<ObjectId> tip = CommitLog.branchTip(repo, in.user(), branch.name());
            if (tip.isEmpty()) {
                continue; // never fetched yet
            }
            int depth = branch.groups().stream().mapToInt(GroupSpec::maxCommits).max().orElse(0);
            List<CommitInfo> commits = CommitLog.walk(repo, tip.get(), Math.max(depth, in.keepResultsCommits()));
            commits.forEach(c -> live.add(c.sha()));
            commits = commits.subList(0, Math.min(depth, commits.size()));
            Map<String, Set<Source>> repoSources = sourcesByRepoCommit.computeIfAbsent(branch.repoName(),
                    r -> new HashMap<>());
            for (CommitInfo c : commits) {
                repoSources.computeIfAbsent(c.sha(), s -> new LinkedHashSet<>())
                        .add(new Source(branch.fetchUrl(), branch.fetchRef()));
            }
            for (GroupSpec group : branch.groups()) {
                expandGroup(in, branch, group, commits, arches, best, unschedulable);
            }
        }
        List<Job> jobs = new ArrayList<>(best.size());
        for (Job j : best.values()) {
            Set<Source> s = sourcesByRepoCommit.getOrDefault(j.repo(), Map.of()).getOrDefault(j.key().commit(), Set.of());
            jobs.add(j.withSources(s.stream().limit(4).toList()));
        }
        jobs.sort(JobOrder.WINDOW);
        int desired = jobs.size();
        List<Job> window0 = jobs.size() > window ? List.copyOf(jobs.subList(0, window)) : List.copyOf(jobs);
        return new Result(window0, desired, unschedulable, Set.copyOf(live));
    }

    private static void expandGroup(Inputs in, BranchSpec branch, GroupSpec group, List<CommitInfo> commits,
                                    Set<String> arches, Map<JobKey, Job> best, Map<String, Integer> unschedulable) {
        String encodedEnv = ResultKeys.encodeEnv(group.env());
        List<String> archIds = group.arch().size() >= 2 ? group.arch() : List.of("");
        List<String> kernels = group.kernels().isEmpty() ? List.of("") : group.kernels();
        int ages = Math.min(group.maxCommits(), commits.size());
        for (String test : group.tests()) {
            Optional<List<String>> listed = in.subtests(test);
            if (listed.isEmpty()) {
                continue;
            }
            List<String> subtests = listed.get();
            for (int si = 0; si < subtests.size(); si++) {
                String subtest = subtests.get(si);
                for (String kernel : kernels) {
                    for (String archId : archIds) {
                        String basename = ResultKeys.basename(test, kernel, encodedEnv, archId);
                        String resultKey = ResultKeys.key(basename, subtest);
                        Set<String> allowed = constrained(allowedArches(group, archId), in.archConstraint(test));
                        boolean schedulable = allowed.stream().anyMatch(arches::contains);
                        for (int age = 0; age < ages; age++) {
                            String sha = commits.get(age).sha();
                            JobKey key = new JobKey(sha, test, subtest, kernel, encodedEnv, archId);
                            if (in.hasVerdict(sha, resultKey) || in.isLeased(key)) {
                                continue;
                            }
                            if (!schedulable) {
                                unschedulable.merge(String.join("|", allowed), 1, Integer::sum);
                                continue;
                            }
                            int weight = age + group.priority();
                            Job existing = best.get(key);
                            if (existing == null || weight < existing.weight()) {
                                best.put(key, new Job(key, resultKey, basename, group.env(), branch.repoName(),
                                        List.of(), weight, group.priority(), branch.name(), group.name(),
                                        in.costOf(resultKey), allowed, si));
                            }
                        }
                    }
                }
            }
        }
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
}
