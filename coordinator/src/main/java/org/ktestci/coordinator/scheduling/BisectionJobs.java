package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.bisect.BisectionPlan;
import org.ktestci.coordinator.bisect.BisectionPlan.Mark;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.FirstBad;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.status.Status;

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

/**
 * The first-bad-commit searches (issue 14 item 3), recomputed at each refill from the verdicts and git alone, so a
 * search resumes where it was after a restart: its state is the verdicts in the journal. A failure at a commit
 * whose nearest older verdict on the branch passed (or failed only flakily), not flaky, not a known issue, with
 * its flake re-runs settled, is searched by {@link BisectionPlan} over the commits between: one job at a time per
 * search (the key alone, at weight {@code weight}, the window's lowest minus one), at most
 * {@code bisect_max_jobs} of the branch pending or leased at once. A run at an untested commit is an ordinary job:
 * its verdict is that commit's. What a search finds is recorded beside the verdicts of the failures it explains
 * ({@link Finding}); a later failure whose nearest older verdict is an explained failure is explained alike.
 */
final class BisectionJobs {
    /** {@code [branch.<name>] bisect} and {@code bisect_max_jobs}. */
    record Settings(boolean enabled, int maxJobs) {}

    /** What the computation reads beyond what flake re-runs read; may block (git). */
    interface Inputs extends FlakeReruns.Inputs {
        Settings settings(String branch);

        /** {@code git rev-list bad --not good} with parents, empty when it exceeds {@code limit} commits. */
        Optional<Map<String, List<String>>> region(BranchSpec branch, String bad, Set<String> good, int limit)
                throws IOException;

        Optional<CommitInfo> describe(BranchSpec branch, String sha) throws IOException;

        /** Whether the failure of {@code key} at {@code sha} is masked as a known issue. */
        boolean known(String sha, String key);
    }

    /** Record {@code firstBad} beside the verdict of {@code key} at {@code commit}. */
    record Finding(String commit, String key, FirstBad firstBad) {}

    /** {@code inFlight}: the searches' jobs now pending or leased, whose verdicts move a search on. */
    record Result(List<Job> jobs, List<Finding> findings, Set<JobKey> inFlight) {
        static final Result NONE = new Result(List.of(), List.of(), Set.of());
    }

    private BisectionJobs() {
    }

    static Result compute(Inputs in, int retries, int weight) throws IOException {
        Map<JobKey, Job> jobs = new LinkedHashMap<>();
        Map<String, Finding> findings = new LinkedHashMap<>();
        Set<JobKey> inFlight = new LinkedHashSet<>();
        Map<String, GroupMatrix> matrices = new HashMap<>();
        Set<String> arches = in.archesWithSlots();
        for (BranchSpec branch : in.branches()) {
            Settings settings = in.settings(branch.name());
            if (!settings.enabled()) {
                continue;
            }
            Branch b = new Branch(in, branch, matrices, retries);
            if (b.commits.isEmpty()) {
                continue;
            }
            int running = 0;
            // Oldest first: a search's finding is known here before the newer failures it explains are looked at.
            Map<String, FirstBad> foundNow = new HashMap<>();
            for (int age = b.commits.size() - 1; age >= 0; age--) {
                String sha = b.commits.get(age);
                for (ResultRecord r : in.results(sha).values()) {
                    if (r.status() != Status.FAILED || Observation.flaky(r.status(), r.observations())) {
                        continue;
                    }
                    Located at = b.locate(r.key());
                    int olderAge = b.nearestOlderVerdict(age, r.key());
                    if (at == null || olderAge < 0) {
                        continue;
                    }
                    String olderSha = b.commits.get(olderAge);
                    ResultRecord o = in.results(olderSha).get(r.key());
                    if (o.status() == Status.FAILED && !Observation.flaky(o.status(), o.observations())) {
                        FirstBad of = o.firstBad() != null ? o.firstBad()
                                : foundNow.get(olderSha + "\0" + r.key());
                        if (of != null && !of.equals(r.firstBad())) {
                            findings.put(sha + "\0" + r.key(), new Finding(sha, r.key(), of));
                            foundNow.put(sha + "\0" + r.key(), of);
                        }
                        continue; // the older failure is the one searched
                    }
                    if (r.firstBad() != null || in.known(sha, r.key())) {
                        continue;
                    }
                    Map<String, List<String>> region = b.region(age, r.key()).orElse(null);
                    if (region == null || !region.containsKey(sha)) {
                        continue;
                    }
                    BisectionPlan.Step step = BisectionPlan.next(sha, region, c -> b.mark(c, at, r.key()));
                    if (step instanceof BisectionPlan.Test t) {
                        JobKey key = at.entry().keyAt(t.sha());
                        if (in.excluded(key)) {
                            inFlight.add(key);
                            running++;
                        } else if (running < settings.maxJobs() && !jobs.containsKey(key)
                                && at.entry().allowed().stream().anyMatch(arches::contains)) {
                            jobs.put(key, at.matrix().job(at.entry(), t.sha(), b.ageOf(t.sha()), branch.name(),
                                            branch.repoName())
                                    .withSources(List.of(new Source(branch.fetchUrl(), branch.fetchRef())))
                                    .asObservation(0, weight, ""));
                            inFlight.add(key);
                            running++;
                        }
                    } else if (step instanceof BisectionPlan.Exact x) {
                        FirstBad found = b.firstBad(x.firstBad(), true, x.parents(), 0, "");
                        b.explained(region, x.firstBad(), at, r.key(), found, findings, foundNow);
                    } else if (step instanceof BisectionPlan.Range g) {
                        FirstBad found = b.firstBad(g.bad(), false, boundary(region, g), g.candidates().size(),
                                g.untestable());
                        b.explained(region, g.bad(), at, r.key(), found, findings, foundNow);
                    }
                }
            }
        }
        return new Result(new ArrayList<>(jobs.values()), new ArrayList<>(findings.values()), Set.copyOf(inFlight));
    }

    /** The good commits just below a range: parents of its commits that are outside it. */
    private static List<String> boundary(Map<String, List<String>> region, BisectionPlan.Range g) {
        Set<String> inside = new HashSet<>(g.candidates());
        inside.add(g.bad());
        Set<String> out = new LinkedHashSet<>();
        for (String c : inside) {
            for (String p : region.getOrDefault(c, List.of())) {
                if (!inside.contains(p)) {
                    out.add(p);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The group a key belongs to on a branch (its first group listing it) and its matrix entry. */
    private record Located(GroupSpec group, GroupMatrix matrix, GroupMatrix.Entry entry) {}

    /** One branch's walk and the lookups on it. */
    private static final class Branch {
        private final Inputs in;
        private final BranchSpec spec;
        private final Map<String, GroupMatrix> matrices;
        private final int retries;
        final List<String> commits;
        private final Map<String, Integer> ages = new HashMap<>();

        Branch(Inputs in, BranchSpec spec, Map<String, GroupMatrix> matrices, int retries) throws IOException {
            this.in = in;
            this.spec = spec;
            this.matrices = matrices;
            this.retries = retries;
            int depth = spec.groups().stream().mapToInt(GroupSpec::maxCommits).max().orElse(0);
            this.commits = in.history(spec, Math.max(depth, in.keepResultsCommits())).orElse(List.of());
            for (int i = 0; i < commits.size(); i++) {
                ages.putIfAbsent(commits.get(i), i);
            }
        }

        int ageOf(String sha) {
            return ages.getOrDefault(sha, commits.size());
        }

        Located locate(String resultKey) {
            for (GroupSpec g : spec.groups()) {
                GroupMatrix m = matrices.computeIfAbsent(g.name(),
                        n -> GroupMatrix.build(g, in::subtests, in::archConstraint, in::costOf));
                GroupMatrix.Entry e = m.entryFor(resultKey);
                if (e != null) {
                    return new Located(g, m, e);
                }
            }
            return null;
        }

        /** The age of the nearest older commit of the walk whose verdict for {@code key} is a pass or a failure. */
        int nearestOlderVerdict(int age, String key) {
            for (int i = age + 1; i < commits.size(); i++) {
                ResultRecord r = in.results(commits.get(i)).get(key);
                if (r != null && (r.status() == Status.PASSED || r.status() == Status.FAILED)) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * The search's region below the failure at {@code commits[age]}: bounded by the good commits older than it in
         * the walk (a newer good commit may contain the failure: a fix, which bounds nothing below it).
         */
        Optional<Map<String, List<String>>> region(int age, String key) throws IOException {
            Set<String> good = new LinkedHashSet<>();
            for (String c : commits.subList(age + 1, commits.size())) {
                ResultRecord r = in.results(c).get(key);
                if (r != null && (r.status() == Status.PASSED || Observation.flaky(r.status(), r.observations()))) {
                    good.add(c);
                }
            }
            return good.isEmpty() ? Optional.empty() : in.region(spec, commits.get(age), good, commits.size());
        }

        Mark mark(String sha, Located at, String key) {
            ResultRecord r = in.results(sha).get(key);
            if (r == null || !r.hasVerdict()) {
                return Mark.UNTESTED;
            }
            if (r.status() == Status.PASSED || Observation.flaky(r.status(), r.observations())) {
                return Mark.GOOD;
            }
            if (r.status() != Status.FAILED) {
                return Mark.UNTESTABLE;
            }
            Integer age = ages.get(sha);
            boolean rerunsDue = retries > 0 && r.observations().size() < retries && age != null
                    && age < at.group().maxCommits() && FlakeReruns.isNew(in, commits, age, key);
            return rerunsDue ? Mark.BAD_UNSETTLED : Mark.BAD;
        }

        FirstBad firstBad(String sha, boolean exact, List<String> good, int candidates, String untestable)
                throws IOException {
            Optional<CommitInfo> info = in.describe(spec, sha);
            return new FirstBad(sha, info.map(CommitInfo::subject).orElse(""),
                    info.map(CommitInfo::author).orElse(""), exact, good, candidates, untestable);
        }

        /** Every failure of the region that contains {@code bad} is explained by {@code found}. */
        void explained(Map<String, List<String>> region, String bad, Located at, String key, FirstBad found,
                       Map<String, Finding> findings, Map<String, FirstBad> foundNow) {
            for (String c : region.keySet()) {
                ResultRecord r = in.results(c).get(key);
                if (r != null && mark(c, at, key) == Mark.BAD && BisectionPlan.contains(region, c, bad)) {
                    foundNow.put(c + "\0" + key, found);
                    if (!found.equals(r.firstBad())) {
                        findings.put(c + "\0" + key, new Finding(c, key, found));
                    }
                }
            }
        }
    }
}
