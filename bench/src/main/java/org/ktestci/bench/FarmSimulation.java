package org.ktestci.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictOutcome;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.GroupSpec;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseEndKind;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.TailBudget;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.schema.status.Status;
import org.ktestci.coordinator.scheduling.WindowPlanner;
import org.ktestci.schema.keys.ResultKeys;
import org.ktestci.schema.results.OutputDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A farm of simulated slots driven by the real scheduler: the {@link JobWindow} actor (refills through the
 * {@link WindowPlanner}, claims, packing, grants, lease ends, its journal) and the real results entities, on a
 * virtual clock. Each slot claims like an {@code Executor}; a granted batch occupies it for a VM boot plus the
 * batch's actual subtest durations, after which its verdicts are recorded and the lease ends. The clock only
 * moves once the window is quiescent (no refill running, every idle slot's claim granted or parked), so the
 * coordinator's own latency counts as zero: that cost is what {@link LeaseBench} measures.
 *
 * <p>Scenario: commit c0 is being tested when, after {@code HEAD_AT} seconds, a new head c1 arrives. Reported:
 * slot utilisation until c1's last verdict, VM boots per subtest, and c1's makespan (new head → its last verdict)
 * against the ideal, c1's total subtest time divided by the number of slots.
 */
public final class FarmSimulation {
    private static final int BOOT_SECS = 30;
    private static final int TEST_FILES = 13;
    private static final int SUBTESTS_PER_FILE = 1000;
    /** The new head arrives about halfway through c0: 3,600 s on 60 slots, scaled to the farm's size. */
    private static final long HEAD_AT_60_SLOTS = 3600;

    /**
     * One configuration of the farm and the scheduler's levers: {@code tail} the adaptive batch budget,
     * {@code preempt} whether c0's running batches are cut at their next subtest boundary when c1 arrives
     * (simulated only: the product never preempts), {@code failuresFirst} the group's order.
     */
    record Setup(String name, int hosts, int slotsPerHost, int budget, TailBudget tail, boolean preempt,
                 boolean failuresFirst, int window, int refillAt) {
        int slots() {
            return hosts * slotsPerHost;
        }

        long headAt() {
            return HEAD_AT_60_SLOTS * 60 / slots();
        }

        static Setup farm60(String name, int budget, TailBudget tail, boolean preempt, boolean failuresFirst) {
            return new Setup(name, 3, 20, budget, tail, preempt, failuresFirst, 2000, 500);
        }
    }

    /** Estimated (per-key average) and actual seconds of every result key of one commit. */
    record Workload(List<String> tests, List<String> subtests, Map<String, Integer> estimate, Random noise,
                    Set<String> persistent, Map<String, Set<String>> ownFailures) {
        /** Whether {@code key} fails at {@code commit}: 0.6 % of keys fail at every commit, 0.4 % at each one only. */
        boolean fails(String commit, String key) {
            return persistent.contains(key) || ownFailures.getOrDefault(commit, Set.of()).contains(key);
        }

        /**
         * Skewed durations: log-normal, median 20 s, σ = 1 (mean ≈ 33 s, 1 % over 200 s), clipped to 1 s … 30 min;
         * a run differs from the key's average by a log-normal factor (σ = 0.15).
         */
        static Workload generate(long seed) {
            Random r = new Random(seed);
            List<String> tests = new ArrayList<>();
            List<String> subtests = new ArrayList<>();
            Map<String, Integer> estimate = new HashMap<>();
            for (int t = 0; t < TEST_FILES; t++) {
                tests.add(String.format(Locale.ROOT, "tests/fs/xfstests-%02d.ktest", t));
            }
            for (int s = 0; s < SUBTESTS_PER_FILE; s++) {
                subtests.add(String.format(Locale.ROOT, "generic/%04d", s));
            }
            for (String t : tests) {
                for (String s : subtests) {
                    double secs = 20 * Math.exp(r.nextGaussian());
                    estimate.put(ResultKeys.key(t, "", Map.of(), "", s), (int) Math.max(1, Math.min(1800, secs)));
                }
            }
            // The failure model: a regression that persists across cP, c0 and c1, and failures of each commit alone.
            Random f = new Random(seed + 2);
            List<String> keys = new ArrayList<>(new TreeSet<>(estimate.keySet()));
            Set<String> persistent = new HashSet<>();
            Map<String, Set<String>> own = new HashMap<>();
            for (String c : List.of(PREVIOUS, C0, C1)) {
                own.put(c, new HashSet<>());
            }
            for (String k : keys) {
                double u = f.nextDouble();
                if (u < 0.006) {
                    persistent.add(k);
                }
                for (String c : List.of(PREVIOUS, C0, C1)) {
                    if (f.nextDouble() < 0.004) {
                        own.get(c).add(k);
                    }
                }
            }
            return new Workload(tests, subtests, estimate, new Random(seed + 1), persistent, own);
        }

        int actual(String key) {
            return (int) Math.max(1, Math.round(estimate.get(key) * Math.exp(0.15 * noise.nextGaussian())));
        }
    }

    /** What the refill sees: one branch, the given history (newest first), the recorded verdicts. */
    private static RefillSource source(Workload w, ResultsIndex index, List<String> history, boolean failuresFirst) {
        GroupSpec plain = new GroupSpec("xfstests", w.tests(), 2, 0, List.of(), new TreeMap<>(), List.of());
        GroupSpec g = failuresFirst ? plain.withFailuresFirst(5) : plain;
        BranchSpec b = new BranchSpec("bcachefs-testing", "linux", Path.of("/r"), "", "/up", "bcachefs-testing",
                List.of(g));
        return new OneBranchRefill(b, () -> {
            synchronized (history) {
                return List.copyOf(history);
            }
        }, w.subtests(), index, key -> w.estimate().get(key), 50);
    }

    private record Slot(String host, int index) {}

    /**
     * A batch's end: at {@code at}, the first {@code done} of its jobs have run ({@code durations} holds theirs); a
     * preempted batch ends early with {@code revoked}.
     */
    private record Finish(long at, long started, Slot slot, LeaseGrant grant, List<Integer> durations, int done,
                          boolean revoked) {}

    /** Figures of one run. */
    record Outcome(Setup setup, double utilisation, double usefulShare, double bootsPerSubtest, long makespan,
                   long ideal, long firstGrantAfterHead, long leases, double wallSecs, long c1BootSecs,
                   long olderInFlightSecs, long olderLaterSecs, long firstFailure, long persistentMedian,
                   long persistentLast, int persistentCount, long preempted, long refillMaxMs, long heapMiB,
                   long longestC1) {
        /** No schedule does better than the ideal, nor than c1's longest subtest after one VM boot. */
        long bound() {
            return Math.max(ideal, BOOT_SECS + longestC1);
        }
    }

    static final String PREVIOUS = String.format(Locale.ROOT, "%040x", 0xb0L);
    static final String C0 = String.format(Locale.ROOT, "%040x", 0xc0L);
    static final String C1 = String.format(Locale.ROOT, "%040x", 0xc1L);

    static Outcome run(Setup setup, long seed) throws Exception {
        int budget = setup.budget();
        long headAt = setup.headAt();
        Path snapshots = TempDirs.create("ktest-ci-farm-snapshots");
        Config config = ConfigFactory.parseString(
                "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                        + "pekko.persistence.snapshot-store.plugin = \"pekko.persistence.snapshot-store.local\"\n"
                        + "pekko.persistence.snapshot-store.local.dir = \"" + snapshots + "\"\n"
                        + "pekko.loglevel = WARNING\npekko.actor.provider = local\n")
                .withFallback(ConfigFactory.load());
        ActorTestKit kit = ActorTestKit.create("FarmSimulation", config);
        long wallStart = System.nanoTime();
        try {
            Workload w = Workload.generate(seed);
            ResultsIndex index = new ResultsIndex();
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe(); // rendering is not simulated
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            Path out = TempDirs.create("ktest-ci-farm-out");
            ActorRef<ResultsStore.Command> results = kit.spawn(ResultsStore.create(index, new OutputDir(out),
                    s -> CompletableFuture.completedFuture(List.of()), projector.ref(), ready.ref()), "results");
            ready.receiveMessage(Duration.ofSeconds(60));

            String c0 = C0;
            String c1 = C1;
            // The previous push, fully tested before the run: what failures_first looks back at first.
            Map<String, ResultRecord> previous = new HashMap<>();
            for (String k : w.estimate().keySet()) {
                previous.put(k, ResultRecord.imported(k, w.fails(PREVIOUS, k) ? Status.FAILED : Status.PASSED,
                        w.estimate().get(k), 1));
            }
            index.replace(PREVIOUS, previous);
            List<String> history = new ArrayList<>(List.of(c0, PREVIOUS));
            SchedulerSettings settings = SchedulerSettings.defaults().withBudget(budget).withTailBudget(setup.tail())
                    .withWindow(setup.window(), setup.refillAt());
            CoordinatorMetrics metrics = CoordinatorMetrics.standalone();
            ActorRef<JobWindow.Command> window = kit.spawn(JobWindow.create("farm-window", settings,
                    source(w, index, history, setup.failuresFirst()), results, index, metrics), "window");
            Map<String, String> hosts = new TreeMap<>();
            List<Slot> slots = new ArrayList<>();
            for (int h = 1; h <= setup.hosts(); h++) {
                hosts.put("farm" + h, "x86_64");
                for (int s = 0; s < setup.slotsPerHost(); s++) {
                    slots.add(new Slot("farm" + h, s));
                }
            }
            window.tell(new JobWindow.HostsChanged(hosts));

            ConcurrentLinkedQueue<BatchOffer> offers = new ConcurrentLinkedQueue<>();
            ActorRef<BatchOffer> offersRef = kit.spawn(inbox(offers), "slots");
            TestProbe<VerdictOutcome> recorded = kit.createTestProbe();
            TestProbe<JobWindow.QueueSummary> queue = kit.createTestProbe();
            PriorityQueue<Finish> running = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
            Map<Slot, Boolean> idle = new HashMap<>();
            slots.forEach(s -> idle.put(s, true));
            Map<String, Slot> bySlotName = new HashMap<>();
            slots.forEach(s -> bySlotName.put(s.host() + ":" + s.index(), s));

            long now = 0;
            long busySlotSecs = 0;
            long testSlotSecs = 0;
            long boots = 0;
            long subtestsRun = 0;
            long c1Work = 0;
            long c1Boots = 0;
            // Slot-seconds of c0 batches inside (head, c1's last verdict]: already running at the head, or started later.
            long olderInFlight = 0;
            long olderLater = 0;
            long c1Remaining = -1;
            long c1Done = -1;
            boolean headSent = false;
            long preempted = 0;
            long longestC1 = 0;
            // c1's failing keys: when their verdicts came (virtual seconds), each at its own subtest's end.
            List<Long> c1FailureAt = new ArrayList<>();
            List<Long> persistentAt = new ArrayList<>();
            long refillMaxMs = 0;
            for (Slot s : slots) {
                window.tell(new JobWindow.ClaimBatch(s.host(), s.index(), "x86_64", offersRef));
            }
            while (c1Done < 0) {
                refillMaxMs = Math.max(refillMaxMs, awaitQuiescence(window, queue, offers, idle, bySlotName, running,
                        w, now));
                if (!headSent && (running.isEmpty() || running.peek().at() >= headAt)) {
                    now = headAt;
                    synchronized (history) {
                        history.add(0, c1);
                    }
                    c1Remaining = w.estimate().size();
                    headSent = true;
                    window.tell(new JobWindow.TipsChanged("bcachefs-testing", c0, c1, false));
                    if (setup.preempt()) {
                        preempted = preempt(running, now);
                    }
                    continue;
                }
                Finish f = running.poll();
                if (f == null) {
                    throw new IllegalStateException("the farm stalled at t=" + now + " s with nothing running");
                }
                now = f.at();
                int total = f.durations().stream().mapToInt(Integer::intValue).sum();
                long busy = now - f.started();
                busySlotSecs += busy;
                testSlotSecs += Math.max(0, busy - BOOT_SECS);
                boots++;
                subtestsRun += f.done();
                boolean isC1 = f.grant().commit().equals(c1);
                if (!isC1 && headSent) {
                    if (f.started() < headAt) {
                        olderInFlight += now - headAt;
                    } else {
                        olderLater += now - f.started();
                    }
                }
                if (isC1) {
                    c1Boots++;
                    c1Work += total;
                    longestC1 = Math.max(longestC1, f.durations().stream().mapToInt(Integer::intValue).max().orElse(0));
                    c1Remaining -= f.done();
                }
                Set<String> keys = new HashSet<>();
                List<Job> jobs = f.grant().jobs();
                long at = f.started() + BOOT_SECS;
                for (int i = 0; i < f.done(); i++) {
                    Job j = jobs.get(i);
                    at += f.durations().get(i);
                    boolean fails = w.fails(f.grant().commit(), j.resultKey());
                    if (isC1 && fails) {
                        c1FailureAt.add(at - headAt);
                        if (w.persistent().contains(j.resultKey())) {
                            persistentAt.add(at - headAt);
                        }
                    }
                    results.tell(new ResultsStore.Verdict(f.grant().commit(), j.resultKey(), f.grant().leaseId(),
                            f.grant().epoch(), "========= " + (fails ? "FAILED " : "PASSED ") + j.key().subtest()
                            + " in " + f.durations().get(i) + "s", f.durations().get(i), at, at, j.resultKey(), "", i,
                            recorded.ref()));
                    keys.add(j.resultKey());
                }
                for (int i = 0; i < f.done(); i++) {
                    VerdictOutcome.Result o = recorded.receiveMessage(Duration.ofSeconds(30)).result();
                    if (o != VerdictOutcome.Result.RECORDED) {
                        throw new IllegalStateException("verdict not recorded: " + o);
                    }
                }
                window.tell(f.revoked()
                        ? new JobWindow.EndLease(f.grant().leaseId(), LeaseEndKind.REVOKED, LeaseEndReason.ADMIN_REVOKE,
                                Map.of(), keys)
                        : new JobWindow.EndLease(f.grant().leaseId(), LeaseEndKind.COMPLETED, LeaseEndReason.NONE,
                                Map.of(), keys));
                idle.put(f.slot(), true);
                window.tell(new JobWindow.ClaimBatch(f.slot().host(), f.slot().index(), "x86_64", offersRef));
                if (isC1 && c1Remaining == 0) {
                    c1Done = now;
                }
            }
            // Slot time until c1's last verdict: batches still running then count up to that moment.
            for (Finish f : running) {
                long started = f.started();
                busySlotSecs += Math.max(0, c1Done - started);
                if (!f.grant().commit().equals(c1)) {
                    if (started < headAt) {
                        olderInFlight += c1Done - headAt;
                    } else {
                        olderLater += Math.max(0, c1Done - started);
                    }
                }
                testSlotSecs += Math.max(0, c1Done - started - BOOT_SECS);
            }
            long ideal = c1Work / slots.size();
            Collections.sort(c1FailureAt);
            Collections.sort(persistentAt);
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;
            return new Outcome(setup, busySlotSecs / (double) (slots.size() * c1Done),
                    testSlotSecs / (double) (slots.size() * c1Done), boots / (double) subtestsRun, c1Done - headAt,
                    ideal, firstC1Grant - headAt, boots, (System.nanoTime() - wallStart) / 1e9, c1Boots * BOOT_SECS,
                    olderInFlight, olderLater, c1FailureAt.isEmpty() ? -1 : c1FailureAt.get(0),
                    persistentAt.isEmpty() ? -1 : persistentAt.get(persistentAt.size() / 2),
                    persistentAt.isEmpty() ? -1 : persistentAt.get(persistentAt.size() - 1), persistentAt.size(),
                    preempted, refillMaxMs, heap, longestC1);
        } finally {
            kit.shutdownTestKit();
        }
    }

    /**
     * Preemption as a what-if: every batch of an older commit running at {@code now} ends at its next subtest
     * boundary (the subtest running finishes, so no work is thrown away); its other subtests go back to pending as
     * a revoked lease's do. Returns how many batches were cut.
     */
    private static long preempt(PriorityQueue<Finish> running, long now) {
        List<Finish> cut = new ArrayList<>();
        for (Iterator<Finish> it = running.iterator(); it.hasNext(); ) {
            Finish f = it.next();
            if (f.grant().commit().equals(C1)) {
                continue;
            }
            long end = f.started() + BOOT_SECS;
            int done = 0;
            if (end >= now) {
                end = now; // still booting: stop the VM at once
            }
            while (end < now && done < f.done()) {
                end += f.durations().get(done++);
            }
            if (done < f.done()) {
                it.remove();
                cut.add(new Finish(Math.max(end, now), f.started(), f.slot(), f.grant(), f.durations().subList(0, done),
                        done, true));
            }
        }
        running.addAll(cut);
        return cut.size();
    }

    private static long firstC1Grant = -1;

    /**
     * Waits until the window has answered every idle slot's claim (a grant, or parked because nothing is
     * eligible) and no refill is running; starts a simulated run for every grant. Asked twice in a row, so a
     * refill the window requested of itself while answering the first query is seen by the second.
     */
    private static long awaitQuiescence(ActorRef<JobWindow.Command> window, TestProbe<JobWindow.QueueSummary> queue,
                                        ConcurrentLinkedQueue<BatchOffer> offers, Map<Slot, Boolean> idle,
                                        Map<String, Slot> bySlotName, PriorityQueue<Finish> running, Workload w,
                                        long now) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int quiet = 0;
        long refillMs = 0;
        while (quiet < 2) {
            window.tell(new JobWindow.GetQueue(queue.ref()));
            JobWindow.QueueSummary q = queue.receiveMessage(Duration.ofSeconds(30));
            if (q.lastRefill() != null) {
                refillMs = Math.max(refillMs, q.lastRefill().durationMs());
            }
            while (true) {
                List<BatchOffer> got = drain(offers);
                if (got.isEmpty()) {
                    break;
                }
                for (BatchOffer m : got) {
                    LeaseGrant g = m.grant();
                    Slot s = bySlotName.get(g.host() + ":" + g.slot());
                    idle.put(s, false);
                    List<Integer> d = new ArrayList<>();
                    long total = BOOT_SECS;
                    for (Job j : g.jobs()) {
                        int secs = w.actual(j.resultKey());
                        d.add(secs);
                        total += secs;
                    }
                    if (firstC1Grant < 0 && g.commit().endsWith("c1")) {
                        firstC1Grant = now;
                    }
                    running.add(new Finish(now + total, now, s, g, d, d.size(), false));
                }
            }
            long idleCount = idle.values().stream().filter(b -> b).count();
            quiet = !q.refilling() && q.parkedClaims() == idleCount ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the window did not settle: " + q + ", idle slots " + idleCount);
            }
        }
        return refillMs;
    }

    private static List<BatchOffer> drain(ConcurrentLinkedQueue<BatchOffer> inbox) {
        List<BatchOffer> got = new ArrayList<>();
        for (BatchOffer m; (m = inbox.poll()) != null; ) {
            got.add(m);
        }
        return got;
    }

    /** The slots' mailbox: offers land in a queue the simulation thread reads. */
    private static Behavior<BatchOffer> inbox(ConcurrentLinkedQueue<BatchOffer> q) {
        return Behaviors.receiveMessage(m -> {
            q.add(m);
            return Behaviors.same();
        });
    }

    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        String which = args.length > 1 ? args[1] : "levers";
        System.out.printf(Locale.ROOT, "farm: %d subtests per commit (log-normal durations, median 20 s), VM boot %d s, "
                        + "new head c1 halfway through c0; failures: 0.6 %% of keys at every commit, 0.4 %% at each "
                        + "commit alone; seed %d; real JobWindow on a virtual clock%n",
                TEST_FILES * SUBTESTS_PER_FILE, BOOT_SECS, seed);
        List<Setup> setups = new ArrayList<>();
        if (which.equals("levers") || which.equals("all")) {
            setups.add(Setup.farm60("longest first (issue 15 item 1)", 600, TailBudget.OFF, false, false));
            setups.add(Setup.farm60("+ tail budget remaining/slots", 600, new TailBudget(1, 60), false, false));
            setups.add(Setup.farm60("+ tail budget remaining/(2 slots)", 600, new TailBudget(2, 60), false, false));
            setups.add(Setup.farm60("+ preemption (simulated)", 600, TailBudget.OFF, true, false));
            setups.add(Setup.farm60("+ tail budget + preemption", 600, TailBudget.DEFAULT, true, false));
            setups.add(Setup.farm60("budget 1200 + tail budget", 1200, TailBudget.DEFAULT, false, false));
            setups.add(Setup.farm60("default (tail budget) + failures_first", 600, TailBudget.DEFAULT, false, true));
            setups.add(Setup.farm60("one-subtest batches (baseline)", 1, TailBudget.OFF, false, false));
        }
        if (which.equals("budget")) {
            setups.add(Setup.farm60("longest first (issue 15 item 1)", 600, TailBudget.OFF, false, false));
            setups.add(Setup.farm60("+ tail budget remaining/slots", 600, new TailBudget(1, 60), false, false));
            setups.add(Setup.farm60("budget 1200 + tail budget", 1200, TailBudget.DEFAULT, false, false));
        }
        if (which.equals("scale") || which.equals("all")) {
            setups.add(new Setup("1000 slots, longest first", 50, 20, 600, TailBudget.OFF, false, false, 20000, 5000));
            setups.add(new Setup("1000 slots, tail budget", 50, 20, 600, TailBudget.DEFAULT, false, false, 20000, 5000));
            setups.add(new Setup("1000 slots, default window 2000", 50, 20, 600, TailBudget.DEFAULT, false, false, 2000,
                    500));
        }
        System.out.printf(Locale.ROOT, "%-40s %6s %6s %8s %7s %7s %7s %7s %6s %6s %6s %5s | %6s %6s %6s | %6s %5s "
                        + "%6s%n", "setup", "slots", "ideal", "makespan", "x ideal", "x bound", "boots", "c0 run", "tail",
                "util", "boots/", "cut", "1st F", "P med", "P last", "refill", "heap", "wall");
        System.out.printf(Locale.ROOT, "%-40s %6s %6s %8s %7s %7s %7s %7s %6s %6s %6s %5s | %6s %6s %6s | %6s %5s "
                        + "%6s%n", "", "", "s", "s", "", "", "s/slot", "s/slot", "s/slot", "%", "subt", "", "s", "s",
                "s", "max ms", "MiB", "s");
        for (Setup setup : setups) {
            firstC1Grant = -1;
            Outcome o = run(setup, seed);
            int slots = setup.slots();
            System.out.printf(Locale.ROOT, "%-40s %6d %6d %8d %7.3f %7.3f %7d %7d %6d %6.1f %6.3f %5d | %6d %6d %6d | "
                            + "%6d %5d %6.1f%n",
                    setup.name(), slots, o.ideal(), o.makespan(), o.makespan() / (double) o.ideal(),
                    o.makespan() / (double) o.bound(),
                    o.c1BootSecs() / slots, o.olderInFlightSecs() / slots, o.olderLaterSecs() / slots,
                    100 * o.utilisation(), o.bootsPerSubtest(), o.preempted(), o.firstFailure(),
                    o.persistentMedian(), o.persistentLast(), o.refillMaxMs(), o.heapMiB(), o.wallSecs());
        }
        System.out.println("makespan = ideal + c1 VM boots + c0 batches running at the head (c0 run) + c0 batches in "
                + "c1's tail (tail), per slot; cut: c0 batches preempted; 1st F: head -> first verdict of a subtest "
                + "failing at c1; P med / P last: head -> verdicts of the failures that persist from earlier commits; "
                + "x bound: against max(ideal, VM boot + c1's longest subtest)");
    }
}
