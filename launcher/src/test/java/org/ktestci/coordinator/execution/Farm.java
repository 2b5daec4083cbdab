package org.ktestci.coordinator.execution;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.live.LiveMessage;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictListener;
import org.ktestci.coordinator.scheduling.ArchConstraint;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.Job;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.RefillSource;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.testing.InMemoryJournal;
import org.ktestci.dashboard.EventHub;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.status.Status;
import org.ktestci.worker.agent.ActiveLeases;
import org.ktestci.worker.agent.AgentIdentity;
import org.ktestci.worker.agent.AgentRejects;
import org.ktestci.worker.agent.BatchRun;
import org.ktestci.worker.agent.BatchValidator;
import org.ktestci.worker.agent.KernelPolicy;
import org.ktestci.worker.agent.SlotRunner;
import org.ktestci.worker.agent.WorkerAgent;
import org.ktestci.worker.qemu.KvmDecision;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A whole farm in one actor system, on the real protocol: results store, job window (in-memory journal),
 * artifact store, worker gateway and its executors, and a worker agent with two slot runners on the cluster
 * node's own address. Only the test itself is simulated: each subtest reports its start, a log and PASSED after
 * {@code stepMillis}. Every message is serialized (the tests' {@code serialize-messages = on}).
 */
final class Farm implements AutoCloseable {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String HOST = "w1";
    static final int SLOTS = 2;

    final ActorTestKit kit;
    final Path dir;
    final int jobs;
    final ResultsIndex index = new ResultsIndex();
    final CoordinatorMetrics metrics = CoordinatorMetrics.standalone();
    final AgentRejects agentRejects = new AgentRejects();
    final ActorRef<ResultsStore.Command> results;
    final ActorRef<JobWindow.Command> window;
    final ActorRef<ArtifactStore.Command> artifacts;
    final ActorRef<Object> gateway;
    final ActorRef<Object> agent;
    /** Every batch the worker's slots were given, in order (the executors' refs and the leases' ids). */
    final List<RunBatch> batches = new CopyOnWriteArrayList<>();
    final Set<ActorRef<?>> slotRunners = ConcurrentHashMap.newKeySet();
    /** Actors of the farm that stopped (none may). */
    final List<String> terminated = new CopyOnWriteArrayList<>();
    private final ActorRef<Object> watcher;
    /** Called on every live message the singleton publishes (tests make it throw). */
    volatile Consumer<LiveMessage> liveHook = m -> { };
    /** A hello from this host makes the gateway's config lookup throw (tests' injected failure). */
    volatile String poisonHost = "";

    Farm(Path dir, int jobs, long stepMillis) throws Exception {
        this.dir = dir;
        this.jobs = jobs;
        kit = ActorTestKit.create("Farm", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.roles = [coordinator, worker]
                pekko.loglevel = INFO
                """).withFallback(InMemoryJournal.config()));
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the farm's node did not come up");
            }
            Thread.onSpinWait();
        }
        watcher = kit.spawn(watcher(terminated), "watcher");

        OutputDir out = new OutputDir(dir.resolve("out"));
        TestProbe<ResultsProjector.Command> projector = kit.createTestProbe();
        TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
        results = kit.spawn(ResultsStore.create(index, out, s -> CompletableFuture.completedFuture(List.of()),
                projector.ref(), ready.ref(), id -> { }, VerdictListener.NONE), "results-store");
        ready.receiveMessage(Duration.ofSeconds(30));
        SchedulerSettings settings = SchedulerSettings.defaults().withWindow(1000, 0).withBudget(4)
                .withFairShare(Duration.ZERO).withLeaseTimeout(Duration.ofSeconds(6), Duration.ofSeconds(1));
        window = kit.spawn(JobWindow.create("farm-" + UUID.randomUUID(), settings, source(jobs), results, index,
                metrics), "job-window");
        artifacts = kit.spawn(ArtifactStore.create(out), "artifact-store");
        LiveEvents live = new LiveEvents(new EventHub(), m -> liveHook.accept(m), sha -> List.of());
        gateway = kit.spawn(WorkerGateway.create(h -> {
            if (h.equals(poisonHost)) {
                throw new IllegalStateException("injected failure looking up [hosts." + h + "]");
            }
            return HostSlots.UNCONFIGURED;
        }, () -> List.of(), window, results, artifacts, () -> settings, metrics, WorkerGateway.newIncarnation(),
                live), "worker-gateway");

        Path ktest = dir.resolve("ktest");
        Files.createDirectories(ktest.resolve("tests"));
        Files.writeString(ktest.resolve("tests/t.ktest"), "#!/bin/sh\n");
        BatchValidator validator = new BatchValidator(ktest, Optional.of("x86_64"),
                new KernelPolicy(dir.resolve("kernels"), List.of(), Optional.empty()));
        ActiveLeases active = new ActiveLeases();
        BatchRun.Factory run = (b, sink) -> {
            batches.add(b);
            return simulated(b, sink, stepMillis);
        };
        agent = kit.spawn(WorkerAgent.create(new AgentIdentity(HOST, "x86_64", SLOTS, "host", "0.1.0", "rev",
                1024, 4), CompletableFuture.completedFuture(new KvmDecision(false, "the host runner uses no VM")), n -> Behaviors.setup(ctx -> {
                    slotRunners.add(ctx.getSelf());
                    watcher.tell(ctx.getSelf());
                    return SlotRunner.create(n, run, validator, Duration.ofSeconds(1), active);
                }), active, validator, agentRejects), "worker-agent");
        for (ActorRef<?> a : List.of(results, window, artifacts, gateway, agent)) {
            watcher.tell(a);
        }
    }

    /** Watches every ref it is sent; records the path of each that stops. */
    private static Behavior<Object> watcher(List<String> terminated) {
        return Behaviors.setup(ctx -> Behaviors.receive(Object.class)
                .onMessage(ActorRef.class, ref -> {
                    ctx.watch(ref);
                    return Behaviors.same();
                })
                .onSignal(Terminated.class, t -> {
                    terminated.add(t.getRef().path().toString());
                    return Behaviors.same();
                })
                .build());
    }

    /** One test file {@code t.ktest} with {@code n} subtests of one commit, each estimated at 1 s. */
    private static RefillSource source(int n) {
        List<Job> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(new Job(new JobKey(SHA, "t.ktest", "s" + i, "", "", ""), "t.s" + i, "t", new TreeMap<>(),
                    "linux", List.of(), 0, 0, "main", "g", 1, Set.of("x86_64"), i));
        }
        return new RefillSource() {
            @Override
            public DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> arches, int windowSize,
                                              Map<String, ArchConstraint> constraints, Set<String> pending) {
                List<Job> out = all.stream().filter(j -> !excluded.test(j.key()) && arches.contains("x86_64"))
                        .toList();
                return new DesiredJobs.Result(out, out.size(), Map.of(), Set.of(SHA));
            }
        };
    }

    /** A batch that starts, logs and passes each subtest in turn; stops early when aborted. */
    private static BatchRun simulated(RunBatch b, org.ktestci.worker.agent.LeaseSink sink, long stepMillis) {
        return new BatchRun() {
            private volatile boolean aborted;

            @Override
            public BatchFinished execute() {
                List<BatchFinished.Unreached> unreached = new ArrayList<>();
                for (RunBatch.BatchSubtest s : b.subtests()) {
                    if (aborted) {
                        unreached.add(new BatchFinished.Unreached(s.resultKey(), LeaseEndReason.WORKER_SHUTDOWN));
                        continue;
                    }
                    long start = System.currentTimeMillis();
                    sink.subtestStarted(s.resultKey(), 1, start);
                    try {
                        Thread.sleep(stepMillis); // the subtest's own run time
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    sink.artifact(s.resultKey(), "log", 1, ("========= PASSED " + s.name() + " in 0s\n")
                            .getBytes(StandardCharsets.UTF_8));
                    sink.subtestFinished(s.resultKey(), "========= PASSED " + s.name() + " in 0s", "PASSED", 0, start,
                            System.currentTimeMillis(), 1, s.resultKey());
                }
                return unreached.isEmpty()
                        ? new BatchFinished("", 0, 0, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "", List.of(),
                                List.of())
                        : new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, LeaseEndReason.WORKER_SHUTDOWN, "",
                                unreached,
                        List.of());
            }

            @Override
            public void abort() {
                aborted = true;
            }
        };
    }

    /** Keys of the commit with a Passed verdict. */
    long passed() {
        return index.commit(SHA).values().stream().filter(r -> r.status() == Status.PASSED).count();
    }

    Map<String, ResultRecord> records() {
        return index.commit(SHA);
    }

    JobWindow.QueueSummary queue() {
        return AskPattern.<JobWindow.Command, JobWindow.QueueSummary>ask(window, JobWindow.GetQueue::new,
                Duration.ofSeconds(10), kit.system().scheduler()).toCompletableFuture().join();
    }

    WorkerGateway.WorkersView workers() {
        return AskPattern.<WorkerGateway.Command, WorkerGateway.WorkersView>askWithStatus(
                WorkerGateway.commands(gateway),
                WorkerGateway.GetWorkers::new, Duration.ofSeconds(10), kit.system().scheduler())
                .toCompletableFuture().join();
    }

    /** Waits until every job has a Passed verdict and no lease is left, or fails after {@code timeout}. */
    void awaitAllPassed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (passed() < jobs || queue().leased() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("farm did not finish: " + passed() + "/" + jobs + " passed, queue "
                        + queue() + ", records " + records().values());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until at least {@code n} verdicts are in (or the time is up: the caller goes on regardless). */
    void awaitPassed(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (passed() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Lease ends by reason, from the metrics. */
    Map<String, Double> leaseEnds() {
        Map<String, Double> out = new TreeMap<>();
        metrics.leasesEnded.collect().getDataPoints().forEach(d -> out.put(d.getLabels().get("reason"), d.getValue()));
        return out;
    }

    /** Refusals counted by the coordinator's actors, by actor and reason. */
    Map<String, Double> coordinatorRejects() {
        Map<String, Double> out = new TreeMap<>();
        metrics.protocolRejects.collect().getDataPoints().forEach(d -> out.merge(
                d.getLabels().get("actor") + "/" + d.getLabels().get("reason"), d.getValue(), Double::sum));
        metrics.staleMessages.collect().getDataPoints().forEach(d -> out.merge("executor/stale_lease",
                d.getValue(), Double::sum));
        return out;
    }

    void watch(ActorRef<?> ref) {
        watcher.tell(ref);
    }

    @Override
    public void close() {
        kit.shutdownTestKit();
    }
}
