package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.HostHealth;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The coordinator's door for worker-agents (protocol.md §3): checks each hello (protocol version, configured
 * arch, duplicate host), reconciles the hello's active leases with the job window (resume or abandon), creates
 * one {@link Executor} per assigned slot, follows reachability, and stops the executors when the agent goes.
 */
public final class WorkerGateway extends AbstractBehavior<GatewayMessage> {
    private record AgentGone(String host, ActorRef<AgentMessage> agent)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    /** The window's answer for a new host's hello: which leases its executors take over. */
    private record Reconciled(WorkerHello hello, JobWindow.ResumeDecision decision)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    /** The window's current leases, to tell a known host which of its reported leases to abandon. */
    private record KnownHostLeases(WorkerHello hello, List<LeaseGrant> leases)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    private record ReconcileFailed(WorkerHello hello, Throwable error)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    /** Admin: revoke a running lease (reason {@code admin_revoke}); replies false when no slot runs it. */
    public record AdminRevoke(String leaseId, ActorRef<Boolean> replyTo) implements GatewayMessage,
            NoSerializationVerificationNeeded {}

    /** Hosts, their slots and current leases as {@code /api/v1/workers} shows them. */
    public record GetWorkers(ActorRef<WorkersView> replyTo) implements GatewayMessage, NoSerializationVerificationNeeded {}

    public record WorkersView(List<HostView> hosts) implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

    /**
     * {@code state}: {@code up}, {@code unreachable}, {@code quarantined} or {@code down} (configured, absent);
     * {@code hello} is empty for a configured host that never connected.
     */
    public record HostView(String host, String arch, int slots, String slotsSource, String state,
                           Optional<WorkerHello> hello, HostHealth health, List<Executor.SlotView> slotList) {}

    private record Host(WorkerHello hello, int slots, boolean slotsFromConfig, List<ActorRef<ExecutorMessage>> executors,
                        boolean reachable) {
        Host withReachable(boolean r) {
            return new Host(hello, slots, slotsFromConfig, executors, r);
        }
    }

    private static final Duration ASK = Duration.ofSeconds(5);

    private final Function<String, HostSlots> hostConfig;
    private final Supplier<List<String>> configuredHostsRef;
    private final Supplier<SchedulerSettings> settingsRef;
    private final LiveEvents live;
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final ActorRef<ArtifactStore.Command> artifacts;
    private final CoordinatorMetrics metrics;
    private final int incarnation;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    /** Hosts whose first hello waits for the window's resume decision. */
    private final Set<String> joining = new HashSet<>();

    public static Behavior<GatewayMessage> create(Function<String, HostSlots> hostConfig, List<String> configuredHosts,
                                                  ActorRef<JobWindow.Command> window,
                                                  ActorRef<ResultsStore.Command> results,
                                                  ActorRef<ArtifactStore.Command> artifacts,
                                                  SchedulerSettings settings, CoordinatorMetrics metrics,
                                                  int incarnation) {
        return create(hostConfig, () -> configuredHosts, window, results, artifacts, () -> settings, metrics,
                incarnation, LiveEvents.NONE);
    }

    /** {@code configuredHosts} and {@code settings} are read at each use: a config reload changes them. */
    public static Behavior<GatewayMessage> create(Function<String, HostSlots> hostConfig,
                                                  Supplier<List<String>> configuredHosts,
                                                  ActorRef<JobWindow.Command> window,
                                                  ActorRef<ResultsStore.Command> results,
                                                  ActorRef<ArtifactStore.Command> artifacts,
                                                  Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics,
                                                  int incarnation, LiveEvents live) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, ctx.getSelf()));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
            Cluster.get(ctx.getSystem()).subscriptions()
                    .tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            return new WorkerGateway(ctx, hostConfig, configuredHosts, window, results, artifacts, settings, metrics,
                    incarnation, live);
        });
    }

    /** A random incarnation number for this coordinator start (protocol.md §2). */
    public static int newIncarnation() {
        return ThreadLocalRandom.current().nextInt();
    }

    private WorkerGateway(ActorContext<GatewayMessage> ctx, Function<String, HostSlots> hostConfig,
                          Supplier<List<String>> configuredHosts, ActorRef<JobWindow.Command> window,
                          ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                          Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics, int incarnation,
                          LiveEvents live) {
        super(ctx);
        this.hostConfig = hostConfig;
        this.configuredHostsRef = configuredHosts;
        this.live = live;
        this.window = window;
        this.results = results;
        this.artifacts = artifacts;
        this.settingsRef = settings;
        this.metrics = metrics;
        this.incarnation = incarnation;
        updateGauges();
    }

    @Override
    public Receive<GatewayMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerHello.class, this::onHello)
                .onMessage(Reconciled.class, this::onReconciled)
                .onMessage(KnownHostLeases.class, this::onKnownHostLeases)
                .onMessage(ReconcileFailed.class, this::onReconcileFailed)
                .onMessage(WorkerGoodbye.class, this::onGoodbye)
                .onMessage(AgentGone.class, this::onAgentGone)
                .onMessage(GetWorkers.class, this::onGetWorkers)
                .onMessage(AdminRevoke.class, this::onAdminRevoke)
                .onMessage(ReachabilityChanged.class, this::onReachability)
                .build();
    }

    private Behavior<GatewayMessage> onHello(WorkerHello h) {
        String refusal = refusalOf(h);
        if (refusal != null) {
            getContext().getLog().warn("refusing worker {} ({}): {}", h.host(), h.agent().path().address(), refusal);
            h.agent().tell(HelloAck.refused(incarnation, refusal));
            return this;
        }
        List<JobWindow.ActiveLease> active = h.activeLeases().stream()
                .map(a -> new JobWindow.ActiveLease(a.slot(), a.leaseId(), a.epoch())).toList();
        if (hosts.containsKey(h.host())) {
            getContext().ask(JobWindow.LeaseSummary.class, window, ASK, JobWindow.GetLeases::new,
                    (res, err) -> err == null ? new KnownHostLeases(h, res.leases()) : new ReconcileFailed(h, err));
        } else if (joining.add(h.host())) {
            getContext().ask(JobWindow.ResumeDecision.class, window, ASK,
                    replyTo -> new JobWindow.ResumeLeases(h.host(), active, replyTo),
                    (res, err) -> err == null ? new Reconciled(h, res) : new ReconcileFailed(h, err));
        }
        return this;
    }

    private Behavior<GatewayMessage> onReconciled(Reconciled r) {
        WorkerHello h = r.hello();
        joining.remove(h.host());
        if (hosts.containsKey(h.host())) {
            return this;
        }
        Optional<Integer> configured = hostConfig.apply(h.host()).slots();
        int slots = configured.orElse(h.slots());
        Map<Integer, LeaseGrant> resumeBySlot = new HashMap<>();
        r.decision().resume().forEach(g -> resumeBySlot.put(g.slot(), g));
        Map<String, Long> ackedBy = new HashMap<>();
        h.activeLeases().forEach(a -> ackedBy.put(a.leaseId(), a.lastAckedSeq()));
        List<ActorRef<ExecutorMessage>> executors = new ArrayList<>();
        List<HelloAck.Resume> resume = new ArrayList<>();
        List<String> abandon = new ArrayList<>(r.decision().abandon());
        for (int i = 0; i < slots; i++) {
            LeaseGrant g = resumeBySlot.remove(i);
            Optional<Executor.Resumed> resumed = Optional.empty();
            if (g != null) {
                long expected = ackedBy.getOrDefault(g.leaseId(), 0L) + 1;
                resumed = Optional.of(new Executor.Resumed(g, expected));
            }
            ActorRef<ExecutorMessage> ex = getContext().spawn(Executor.create(new SlotId(h.host(), i), h.arch(),
                    h.agent(), window, results, artifacts, settingsRef, metrics, resumed, live),
                    "executor-" + h.host() + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 8));
            executors.add(ex);
            if (g != null) {
                resume.add(new HelloAck.Resume(g.leaseId(), ex, resumed.get().expectedSeq()));
            }
        }
        // A resumed lease on a slot the host no longer has cannot continue.
        resumeBySlot.values().forEach(g -> {
            abandon.add(g.leaseId());
            window.tell(new JobWindow.LeaseEnded(g.leaseId(), "ABANDONED", "coordinator_failover", Map.of(), Set.of()));
        });
        getContext().watchWith(h.agent(), new AgentGone(h.host(), h.agent()));
        hosts.put(h.host(), new Host(h, slots, configured.isPresent(), executors, true));
        getContext().getLog().info("worker accepted: host={} arch={} slots={} runner={} agent={} resumed={} abandoned={}",
                h.host(), h.arch(), slots, h.runner(), h.agent().path(), resume.size(), abandon.size());
        window.tell(new JobWindow.HostsChanged(upHosts()));
        live.host(h.host(), "up", 0);
        h.agent().tell(accepted(slots, resume, abandon));
        updateGauges();
        return this;
    }

    private Behavior<GatewayMessage> onKnownHostLeases(KnownHostLeases k) {
        Host known = hosts.get(k.hello().host());
        if (known == null) {
            return this;
        }
        Set<String> current = new HashSet<>();
        k.leases().forEach(g -> current.add(g.leaseId()));
        List<String> abandon = k.hello().activeLeases().stream().map(WorkerHello.ActiveLease::leaseId)
                .filter(id -> !current.contains(id)).toList();
        k.hello().agent().tell(accepted(known.slots(), List.of(), abandon));
        return this;
    }

    private Behavior<GatewayMessage> onReconcileFailed(ReconcileFailed f) {
        joining.remove(f.hello().host());
        // The worker says hello again every 60 s until acknowledged.
        getContext().getLog().warn("cannot reconcile hello of {}: {}", f.hello().host(), f.error().toString());
        return this;
    }

    private HelloAck accepted(int slots, List<HelloAck.Resume> resume, List<String> abandon) {
        SchedulerSettings settings = settingsRef.get();
        return new HelloAck(ProtocolVersion.CURRENT, true, "", incarnation, slots,
                (int) settings.heartbeatInterval().toSeconds(), (int) settings.leaseTimeout().toSeconds(), resume,
                abandon);
    }

    private String refusalOf(WorkerHello h) {
        if (h.protocolVersion() != ProtocolVersion.CURRENT) {
            return "protocol version " + h.protocolVersion() + " not supported (coordinator speaks "
                    + ProtocolVersion.CURRENT + ")";
        }
        HostSlots cfg = hostConfig.apply(h.host());
        if (cfg.arch().isPresent() && !cfg.arch().get().equals(h.arch())) {
            return "arch mismatch: config says " + cfg.arch().get() + ", host says " + h.arch();
        }
        Host known = hosts.get(h.host());
        if (known != null && !known.hello().agent().equals(h.agent())) {
            return "host " + h.host() + " is already connected from " + known.hello().agent().path().address();
        }
        return null;
    }

    private Behavior<GatewayMessage> onGoodbye(WorkerGoodbye g) {
        getContext().getLog().info("worker said goodbye: host={} leases={}", g.host(), g.leases().size());
        removeHost(g.host(), "worker_shutdown");
        return this;
    }

    private Behavior<GatewayMessage> onAgentGone(AgentGone g) {
        Host known = hosts.get(g.host());
        if (known != null && known.hello().agent().equals(g.agent())) {
            getContext().getLog().warn("worker lost: host={}", g.host());
            removeHost(g.host(), "member_down");
        }
        return this;
    }

    private Behavior<GatewayMessage> onReachability(ReachabilityChanged changed) {
        boolean reachable = changed.event() instanceof ClusterEvent.ReachableMember;
        var address = changed.event().member().address();
        for (Map.Entry<String, Host> e : List.copyOf(hosts.entrySet())) {
            Host h = e.getValue();
            if (h.hello().agent().path().address().equals(address)) {
                getContext().getLog().warn("worker {}: host={}", reachable ? "reachable again" : "unreachable",
                        h.hello().host());
                hosts.put(e.getKey(), h.withReachable(reachable));
                live.host(e.getKey(), reachable ? "up" : "unreachable", 0);
                h.executors().forEach(x -> x.tell(new Executor.HostReachability(reachable)));
                if (reachable) {
                    h.hello().agent().tell(new HelloRequest(incarnation));
                }
            }
        }
        window.tell(new JobWindow.HostsChanged(upHosts()));
        updateGauges();
        return this;
    }

    private void removeHost(String host, String reason) {
        Host known = hosts.remove(host);
        if (known != null) {
            String downId = UUID.randomUUID().toString();
            known.executors().forEach(e -> e.tell(new Executor.HostDown(reason, downId)));
            getContext().unwatch(known.hello().agent());
            live.host(host, "down", 0);
            window.tell(new JobWindow.HostsChanged(upHosts()));
            updateGauges();
        }
    }

    private Map<String, String> upHosts() {
        Map<String, String> up = new HashMap<>();
        hosts.forEach((name, h) -> {
            if (h.reachable()) {
                up.put(name, h.hello().arch());
            }
        });
        return up;
    }

    private void updateGauges() {
        int upHosts = 0;
        int unreachable = 0;
        int slotsUp = 0;
        int slotsDown = 0;
        for (Host h : hosts.values()) {
            if (h.reachable()) {
                upHosts++;
                slotsUp += h.slots();
            } else {
                unreachable++;
                slotsDown += h.slots();
            }
        }
        long down = configuredHostsRef.get().stream().filter(c -> !hosts.containsKey(c)).count();
        metrics.hosts.labelValues("up").set(upHosts);
        metrics.hosts.labelValues("unreachable").set(unreachable);
        metrics.hosts.labelValues("down").set(down);
        metrics.slots.labelValues("up").set(slotsUp);
        metrics.slots.labelValues("unreachable").set(slotsDown);
    }

    private Behavior<GatewayMessage> onAdminRevoke(AdminRevoke r) {
        var system = getContext().getSystem();
        Map<String, List<ActorRef<ExecutorMessage>>> executors = new HashMap<>();
        hosts.forEach((name, h) -> executors.put(name, List.copyOf(h.executors())));
        // Answered from the future: the lease's slot is looked up in the window, then its executor is told.
        AskPattern.ask(window, JobWindow.GetLeases::new, ASK, system.scheduler()).whenComplete((summary, err) -> {
            Optional<LeaseGrant> grant = err != null ? Optional.empty() : summary.leases().stream()
                    .filter(g -> g.leaseId().equals(r.leaseId())).findFirst();
            List<ActorRef<ExecutorMessage>> onHost = grant.map(g -> executors.getOrDefault(g.host(), List.of()))
                    .orElse(List.of());
            if (grant.isEmpty() || grant.get().slot() >= onHost.size()) {
                r.replyTo().tell(false);
            } else {
                onHost.get(grant.get().slot()).tell(new Executor.Revoke(r.leaseId(), r.replyTo()));
            }
        });
        return this;
    }

    private Behavior<GatewayMessage> onGetWorkers(GetWorkers q) {
        var system = getContext().getSystem();
        CompletionStage<JobWindow.LeaseSummary> leases = AskPattern.ask(window, JobWindow.GetLeases::new, ASK,
                system.scheduler());
        List<Map.Entry<String, Host>> snapshot = List.copyOf(hosts.entrySet());
        List<CompletableFuture<List<Executor.SlotView>>> perHost = new ArrayList<>();
        for (Map.Entry<String, Host> e : snapshot) {
            List<CompletableFuture<Executor.SlotView>> slots = new ArrayList<>();
            for (ActorRef<ExecutorMessage> ex : e.getValue().executors()) {
                slots.add(AskPattern.<ExecutorMessage, Executor.SlotView>ask(ex, Executor.GetSlot::new, ASK,
                        system.scheduler()).toCompletableFuture());
            }
            perHost.add(CompletableFuture.allOf(slots.toArray(CompletableFuture[]::new))
                    .thenApply(v -> slots.stream().map(CompletableFuture::join).toList()));
        }
        List<String> configured = configuredHostsRef.get();
        Function<String, HostSlots> cfg = hostConfig;
        // Answered from the futures: nothing of this actor's state is touched there.
        CompletableFuture.allOf(perHost.toArray(CompletableFuture[]::new))
                .thenCombine(leases.toCompletableFuture(), (v, summary) -> {
                    long now = System.currentTimeMillis();
                    List<HostView> out = new ArrayList<>();
                    for (int i = 0; i < snapshot.size(); i++) {
                        Host h = snapshot.get(i).getValue();
                        HostHealth health = summary.hosts().getOrDefault(h.hello().host(), new HostHealth(0, 0, 0));
                        String state = health.until() > now ? "quarantined" : h.reachable() ? "up" : "unreachable";
                        out.add(new HostView(h.hello().host(), h.hello().arch(), h.slots(),
                                h.slotsFromConfig() ? "config" : "announced", state, Optional.of(h.hello()), health,
                                perHost.get(i).join()));
                    }
                    for (String c : configured) {
                        if (snapshot.stream().noneMatch(e -> e.getKey().equals(c))) {
                            HostSlots hs = cfg.apply(c);
                            HostHealth health = summary.hosts().getOrDefault(c, new HostHealth(0, 0, 0));
                            out.add(new HostView(c, hs.arch().orElse(""), hs.slots().orElse(0), "config", "down",
                                    Optional.empty(), health, List.of()));
                        }
                    }
                    return new WorkersView(out);
                })
                .whenComplete((view, err) -> {
                    if (err == null) {
                        q.replyTo().tell(view);
                    }
                });
        return this;
    }
}
