package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.ktestci.coordinator.live.LiveEvents;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.HostHealth;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.LeaseEndKind;
import org.ktestci.coordinator.scheduling.LeaseGrant;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RejectLog;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.WireAdapter;
import org.ktestci.protocol.WireRules;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The coordinator's door for worker-agents (protocol.md §3): checks each hello (protocol version, every field,
 * configured arch, duplicate host), reconciles the hello's active leases with the job window (resume or
 * abandon), creates one {@link Executor} per assigned slot, follows reachability, and stops the executors when
 * the agent goes or says goodbye (only its own agent may).
 *
 * <p>Workers reach it only with {@link GatewayMessage}s; the admin's and the dashboard's requests are local
 * commands a cluster member cannot send. Its hosts live in a {@link GatewayState} outside the behaviour and its
 * executors are kept when it restarts after a failure, so a failure loses no host and no lease.
 */
public final class WorkerGateway extends AbstractBehavior<WorkerGateway.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits Wire, Foreign, AgentGone, ReachabilityChanged, Reconciled, KnownHostLeases, ReconcileFailed,
            AdminRevoke, GetWorkers {}

    /** A worker's message as it came from the cluster. */
    record Wire(GatewayMessage message) implements Command {}

    /** Anything else the cluster delivered: logged and counted. */
    record Foreign(Object message) implements Command {}

    record AgentGone(String host, ActorRef<AgentMessage> agent) implements Command {}

    record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

    /** The window's answer for a new host's hello: which leases its executors take over. */
    record Reconciled(WorkerHello hello, JobWindow.ResumeDecision decision) implements Command {}

    /** The window's current leases, to tell a known host which of its reported leases to abandon. */
    record KnownHostLeases(WorkerHello hello, List<LeaseGrant> leases) implements Command {}

    record ReconcileFailed(WorkerHello hello, Throwable error) implements Command {}

    /**
     * Admin: revoke a running lease (reason {@code admin_revoke}); replies false when no slot runs it, an error
     * when the window cannot say where it runs.
     */
    public record AdminRevoke(String leaseId, ActorRef<StatusReply<Boolean>> replyTo) implements Command {}

    /** Hosts, their slots and current leases as {@code /api/v1/workers} shows them; an error if a part is silent. */
    public record GetWorkers(ActorRef<StatusReply<WorkersView>> replyTo) implements Command {}

    public record WorkersView(List<HostView> hosts) implements NoSerializationVerificationNeeded {}

    /**
     * {@code state}: {@code up}, {@code unreachable}, {@code quarantined} or {@code down} (configured, absent);
     * {@code hello} is empty for a configured host that never connected.
     */
    public record HostView(String host, String arch, int slots, String slotsSource, String state,
                           Optional<WorkerHello> hello, HostHealth health, List<Executor.SlotView> slotList) {}

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
    private final GatewayState state;
    private final HelloAdmission admission;
    private final RejectLog rejectLog = new RejectLog();

    public static Behavior<Object> create(Function<String, HostSlots> hostConfig, List<String> configuredHosts,
                                          ActorRef<JobWindow.Command> window,
                                          ActorRef<ResultsStore.Command> results,
                                          ActorRef<ArtifactStore.Command> artifacts,
                                          SchedulerSettings settings, CoordinatorMetrics metrics,
                                          int incarnation) {
        return create(hostConfig, () -> configuredHosts, window, results, artifacts, () -> settings, metrics,
                incarnation, LiveEvents.NONE);
    }

    /**
     * {@code configuredHosts} and {@code settings} are read at each use: a config reload changes them. The
     * gateway's ref is an {@code ActorRef<Object>}: {@link #wire} is what it registers for workers,
     * {@link #commands} what local senders use.
     */
    public static Behavior<Object> create(Function<String, HostSlots> hostConfig,
                                          Supplier<List<String>> configuredHosts,
                                          ActorRef<JobWindow.Command> window,
                                          ActorRef<ResultsStore.Command> results,
                                          ActorRef<ArtifactStore.Command> artifacts,
                                          Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics,
                                          int incarnation, LiveEvents live) {
        return Behaviors.setup(outer -> {
            outer.getSystem().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY,
                    wire(outer.getSelf())));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    outer.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
            Cluster.get(outer.getSystem()).subscriptions()
                    .tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            GatewayState state = new GatewayState();
            Behavior<Command> restartable = Behaviors.supervise(Behaviors.<Command>setup(ctx ->
                    new WorkerGateway(ctx, hostConfig, configuredHosts, window, results, artifacts, settings, metrics,
                            incarnation, live, state)))
                    .onFailure(SupervisorStrategy.restart().withStopChildren(false));
            return WireAdapter.wrap(GatewayMessage.class, Wire::new, Command.class, Foreign::new, restartable);
        });
    }

    /** The ref workers send hellos and goodbyes to (registered under {@link GatewayMessage#SERVICE_KEY}). */
    public static ActorRef<GatewayMessage> wire(ActorRef<?> gateway) {
        return gateway.<Object>unsafeUpcast().narrow();
    }

    /** The ref the coordinator's own parts use (admin revoke, the workers view). */
    public static ActorRef<Command> commands(ActorRef<?> gateway) {
        return gateway.<Object>unsafeUpcast().narrow();
    }

    /** A random incarnation number for this coordinator start (protocol.md §2). */
    public static int newIncarnation() {
        return ThreadLocalRandom.current().nextInt();
    }

    private WorkerGateway(ActorContext<Command> ctx, Function<String, HostSlots> hostConfig,
                          Supplier<List<String>> configuredHosts, ActorRef<JobWindow.Command> window,
                          ActorRef<ResultsStore.Command> results, ActorRef<ArtifactStore.Command> artifacts,
                          Supplier<SchedulerSettings> settings, CoordinatorMetrics metrics, int incarnation,
                          LiveEvents live, GatewayState state) {
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
        this.state = state;
        this.admission = new HelloAdmission(hostConfig, settings, metrics, incarnation);
        if (state.started) {
            // Hellos whose window answer was lost with the failure are said again (every 60 s until acked).
            state.joining.clear();
            state.hosts.forEach((name, h) -> ctx.watchWith(h.hello().agent(), new AgentGone(name, h.hello().agent())));
            ctx.getLog().warn("worker gateway restarted after a failure: {} hosts and their executors kept",
                    state.hosts.size());
        }
        state.started = true;
        updateGauges();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wire.class, w -> w.message() instanceof WorkerHello h ? onHello(h)
                        : onGoodbye((WorkerGoodbye) w.message()))
                .onMessage(Foreign.class, this::onForeign)
                .onMessage(Reconciled.class, this::onReconciled)
                .onMessage(KnownHostLeases.class, this::onKnownHostLeases)
                .onMessage(ReconcileFailed.class, this::onReconcileFailed)
                .onMessage(AgentGone.class, this::onAgentGone)
                .onMessage(GetWorkers.class, this::onGetWorkers)
                .onMessage(AdminRevoke.class, this::onAdminRevoke)
                .onMessage(ReachabilityChanged.class, this::onReachability)
                .build();
    }

    private Behavior<Command> onForeign(Foreign f) {
        String type = f.message() == null ? "null" : f.message().getClass().getSimpleName();
        metrics.protocolRejects.labelValues("gateway", "foreign", "not_a_gateway_message").inc();
        rejectLog.admit("foreign", System.currentTimeMillis()).ifPresent(more -> getContext().getLog()
                .warn("message refused by the gateway: type={}: not a hello or goodbye{}", WireRules.quote(type),
                        more));
        return this;
    }

    private Behavior<Command> onHello(WorkerHello h) {
        Optional<String> refusal = admission.refusal(h, state.hosts::get);
        if (refusal.isPresent()) {
            String more = rejectLog.admit("hello", System.currentTimeMillis()).orElse(null);
            if (more != null) {
                getContext().getLog().warn("refusing worker {} ({}): {}{}", WireRules.quote(h.host()),
                        h.agent() == null ? "no agent" : h.agent().path().address(), refusal.get(), more);
            }
            if (h.agent() != null) {
                h.agent().tell(admission.refused(refusal.get()));
            }
            return this;
        }
        List<JobWindow.ActiveLease> active = h.activeLeases().stream()
                .map(a -> new JobWindow.ActiveLease(a.slot(), a.leaseId(), a.epoch())).toList();
        if (state.hosts.containsKey(h.host())) {
            getContext().ask(JobWindow.LeaseSummary.class, window, ASK, JobWindow.GetLeases::new,
                    (res, err) -> err == null ? new KnownHostLeases(h, res.leases()) : new ReconcileFailed(h, err));
        } else if (state.joining.add(h.host())) {
            getContext().ask(JobWindow.ResumeDecision.class, window, ASK,
                    replyTo -> new JobWindow.ResumeLeases(h.host(), active, replyTo),
                    (res, err) -> err == null ? new Reconciled(h, res) : new ReconcileFailed(h, err));
        }
        return this;
    }

    private Behavior<Command> onReconciled(Reconciled r) {
        WorkerHello h = r.hello();
        state.joining.remove(h.host());
        if (state.hosts.containsKey(h.host())) {
            return this;
        }
        Optional<Integer> configured = admission.configuredSlots(h.host());
        int slots = configured.orElse(h.slots());
        Map<Integer, LeaseGrant> resumeBySlot = new HashMap<>();
        r.decision().resume().forEach(g -> resumeBySlot.put(g.slot(), g));
        Map<String, Long> ackedBy = new HashMap<>();
        h.activeLeases().forEach(a -> ackedBy.put(a.leaseId(), a.lastAckedSeq()));
        List<ActorRef<Executor.Command>> executors = new ArrayList<>();
        List<HelloAck.Resume> resume = new ArrayList<>();
        List<String> abandon = new ArrayList<>(r.decision().abandon());
        for (int i = 0; i < slots; i++) {
            LeaseGrant g = resumeBySlot.remove(i);
            Optional<Executor.Resumed> resumed = Optional.empty();
            if (g != null) {
                long expected = ackedBy.getOrDefault(g.leaseId(), 0L) + 1;
                resumed = Optional.of(new Executor.Resumed(g, expected));
            }
            // The random part keeps an executor's path unguessable: only the host's agent learns it.
            ActorRef<Object> ex = getContext().spawn(Executor.create(new SlotId(h.host(), i), h.arch(), h.agent(),
                    window, results, artifacts, settingsRef, metrics, resumed, live),
                    "executor-" + h.host() + "-" + i + "-" + UUID.randomUUID());
            executors.add(Executor.commands(ex));
            if (g != null) {
                resume.add(new HelloAck.Resume(g.leaseId(), Executor.wire(ex), resumed.get().expectedSeq()));
            }
        }
        // A resumed lease on a slot the host no longer has cannot continue.
        resumeBySlot.values().forEach(g -> {
            abandon.add(g.leaseId());
            window.tell(new JobWindow.EndLease(g.leaseId(), LeaseEndKind.ABANDONED,
                    LeaseEndReason.COORDINATOR_FAILOVER, Map.of(), Set.of()));
        });
        getContext().watchWith(h.agent(), new AgentGone(h.host(), h.agent()));
        state.hosts.put(h.host(), new GatewayState.Host(h, slots, configured.isPresent(), executors, true));
        getContext().getLog().info("worker accepted: host={} arch={} slots={} runner={} agent={} resumed={} abandoned={}",
                h.host(), h.arch(), slots, h.runner(), h.agent().path(), resume.size(), abandon.size());
        window.tell(new JobWindow.HostsChanged(upHosts()));
        live.host(h.host(), "up", 0);
        h.agent().tell(admission.accepted(slots, resume, abandon));
        updateGauges();
        return this;
    }

    private Behavior<Command> onKnownHostLeases(KnownHostLeases k) {
        GatewayState.Host known = state.hosts.get(k.hello().host());
        if (known == null) {
            return this;
        }
        Set<String> current = new HashSet<>();
        k.leases().forEach(g -> current.add(g.leaseId()));
        List<String> abandon = k.hello().activeLeases().stream().map(WorkerHello.ActiveLease::leaseId)
                .filter(id -> !current.contains(id)).toList();
        k.hello().agent().tell(admission.accepted(known.slots(), List.of(), abandon));
        return this;
    }

    private Behavior<Command> onReconcileFailed(ReconcileFailed f) {
        state.joining.remove(f.hello().host());
        // The worker says hello again every 60 s until acknowledged.
        getContext().getLog().warn("cannot reconcile hello of {}: {}", f.hello().host(), f.error().toString());
        return this;
    }

    /** Only the agent that said hello for a host may take it away: a goodbye for any other host is refused. */
    private Behavior<Command> onGoodbye(WorkerGoodbye g) {
        Optional<String> bad = HelloCheck.goodbye(g);
        GatewayState.Host known = bad.isPresent() ? null : state.hosts.get(g.host());
        if (bad.isEmpty() && known != null && !known.hello().agent().equals(g.agent())) {
            bad = Optional.of("goodbye for " + g.host() + " from " + g.agent().path()
                    + ", not from the agent that said hello for it");
            metrics.protocolRejects.labelValues("gateway", "WorkerGoodbye", "not_its_agent").inc();
        } else if (bad.isPresent()) {
            metrics.protocolRejects.labelValues("gateway", "WorkerGoodbye", RejectReason.MALFORMED.wireName()).inc();
        }
        if (bad.isPresent()) {
            String why = bad.get();
            rejectLog.admit("goodbye", System.currentTimeMillis())
                    .ifPresent(more -> getContext().getLog().warn("goodbye refused: {}{}", why, more));
            return this;
        }
        getContext().getLog().info("worker said goodbye: host={} leases={}", g.host(),
                g.leases() == null ? 0 : g.leases().size());
        removeHost(g.host(), LeaseEndReason.WORKER_SHUTDOWN);
        return this;
    }

    private Behavior<Command> onAgentGone(AgentGone g) {
        GatewayState.Host known = state.hosts.get(g.host());
        if (known != null && known.hello().agent().equals(g.agent())) {
            getContext().getLog().warn("worker lost: host={}", g.host());
            removeHost(g.host(), LeaseEndReason.MEMBER_DOWN);
        }
        return this;
    }

    private Behavior<Command> onReachability(ReachabilityChanged changed) {
        boolean reachable = changed.event() instanceof ClusterEvent.ReachableMember;
        var address = changed.event().member().address();
        for (Map.Entry<String, GatewayState.Host> e : List.copyOf(state.hosts.entrySet())) {
            GatewayState.Host h = e.getValue();
            if (h.hello().agent().path().address().equals(address)) {
                getContext().getLog().warn("worker {}: host={}", reachable ? "reachable again" : "unreachable",
                        h.hello().host());
                state.hosts.put(e.getKey(), h.withReachable(reachable));
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

    private void removeHost(String host, LeaseEndReason reason) {
        GatewayState.Host known = state.hosts.remove(host);
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
        state.hosts.forEach((name, h) -> {
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
        for (GatewayState.Host h : state.hosts.values()) {
            if (h.reachable()) {
                upHosts++;
                slotsUp += h.slots();
            } else {
                unreachable++;
                slotsDown += h.slots();
            }
        }
        long down = configuredHostsRef.get().stream().filter(c -> !state.hosts.containsKey(c)).count();
        metrics.hosts.labelValues("up").set(upHosts);
        metrics.hosts.labelValues("unreachable").set(unreachable);
        metrics.hosts.labelValues("down").set(down);
        metrics.slots.labelValues("up").set(slotsUp);
        metrics.slots.labelValues("unreachable").set(slotsDown);
    }

    private Behavior<Command> onAdminRevoke(AdminRevoke r) {
        var system = getContext().getSystem();
        Map<String, List<ActorRef<Executor.Command>>> executors = new HashMap<>();
        state.hosts.forEach((name, h) -> executors.put(name, List.copyOf(h.executors())));
        // Answered from the future: the lease's slot is looked up in the window, then its executor is told.
        AskPattern.ask(window, JobWindow.GetLeases::new, ASK, system.scheduler()).whenComplete((summary, err) -> {
            if (err != null) {
                r.replyTo().tell(StatusReply.error("cannot find lease " + r.leaseId() + ": " + err));
                return;
            }
            Optional<LeaseGrant> grant = summary.leases().stream()
                    .filter(g -> g.leaseId().equals(r.leaseId())).findFirst();
            List<ActorRef<Executor.Command>> onHost = grant.map(g -> executors.getOrDefault(g.host(), List.of()))
                    .orElse(List.of());
            if (grant.isEmpty() || grant.get().slot() >= onHost.size()) {
                r.replyTo().tell(StatusReply.success(false));
            } else {
                onHost.get(grant.get().slot()).tell(new Executor.Revoke(r.leaseId(), r.replyTo()));
            }
        });
        return this;
    }

    private Behavior<Command> onGetWorkers(GetWorkers q) {
        WorkersListing.of(List.copyOf(state.hosts.entrySet()), configuredHostsRef.get(), hostConfig, window, ASK,
                getContext().getSystem().scheduler()).whenComplete((view, err) -> q.replyTo().tell(err == null
                        ? StatusReply.success(view) : StatusReply.error("cannot list the workers: " + err)));
        return this;
    }
}
