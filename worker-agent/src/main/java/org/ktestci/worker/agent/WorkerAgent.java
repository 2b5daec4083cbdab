package org.ktestci.worker.agent;

import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.RejectLog;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WireAdapter;
import org.ktestci.protocol.WireRules;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.worker.qemu.KvmDecision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;

/**
 * The worker host's representative: finds the coordinator's gateway through the Receptionist, says hello
 * (again whenever the gateway changes, and every 60 s until acknowledged), runs as many {@link SlotRunner}s as
 * the coordinator assigns, and routes lease messages to them.
 *
 * <p>It obeys only the gateway that acknowledged its hello (security.md, "Cluster protocol"). It greets only a
 * gateway on the coordinator singleton's node ({@link GatewayTrust}), and gives each gateway its own door: a
 * child with an unguessable name whose ref is the hello's {@code agent}. What comes through a door is taken as
 * that gateway's; leases are taken only from the acknowledged one; anything sent to the agent's own, well-known
 * path is refused. Every message is checked field by field ({@link AgentMessageCheck}) before it is acted on.
 * Refusals are logged and counted ({@link AgentRejects}).
 */
public final class WorkerAgent extends AbstractBehavior<WorkerAgent.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits FromGateway, Unsolicited, GatewaysChanged, MembersChanged, HelloTimer, KvmProbed, PrepareShutdown,
            SlotDrained {}

    /** What arrived through the door given to {@code gateway}. */
    record FromGateway(ActorRef<GatewayMessage> gateway, Object message) implements Command {}

    /** What arrived at the agent's own path, which no gateway is ever given. */
    record Unsolicited(Object message) implements Command {}

    private record GatewaysChanged(Set<ActorRef<GatewayMessage>> gateways) implements Command {}

    private record MembersChanged() implements Command {}

    private record HelloTimer() implements Command {}

    /** The agent-start KVM probe has decided (it runs on a blocking thread, never on this actor's). */
    private record KvmProbed(KvmDecision decision) implements Command {}

    /** Coordinated shutdown: stop every slot's run, say goodbye, then answer. */
    private record PrepareShutdown(ActorRef<Done> replyTo) implements Command {}

    private record SlotDrained(SlotRunner.Drained drained) implements Command {}

    private static final Duration HELLO_RETRY = Duration.ofSeconds(60);

    private final AgentIdentity identity;
    private final IntFunction<Behavior<SlotRunner.Command>> slotFactory;
    private final ActiveLeases active;
    private final AgentMessageCheck check;
    private final AgentRejects rejects;
    private final RejectLog rejectLog = new RejectLog();
    private final TimerScheduler<Command> timers;
    private final List<ActorRef<SlotRunner.Command>> slots = new ArrayList<>();
    /** Gateways the Receptionist lists, and those of them on the singleton's node. */
    private Set<ActorRef<GatewayMessage>> listed = Set.of();
    private Set<ActorRef<GatewayMessage>> trusted = Set.of();
    private final Set<ActorRef<GatewayMessage>> distrustLogged = new HashSet<>();
    /** Each gateway's door: kept while its node is a member, so a reachability blip does not change it. */
    private final Map<ActorRef<GatewayMessage>, ActorRef<AgentMessage>> doors = new HashMap<>();
    private final Set<ActorRef<GatewayMessage>> greeted = new HashSet<>();
    /** The gateway whose HelloAck accepted this worker: the only one it takes leases from. */
    private ActorRef<GatewayMessage> acknowledged;
    private boolean awaitingAck;
    /** Null until the probe decides: the first hello waits for it, so it never announces a guess. */
    private KvmDecision kvm;
    private ActorRef<Done> shutdownReply;
    private int slotsDraining;

    /**
     * {@code kvmProbe} completes with the agent-start KVM decision; the first hello goes out once it has.
     * {@code active} is shared with the slot runners the factory creates: it feeds the hello's active leases.
     * The agent's ref is an {@code ActorRef<Object>}; nothing but this node's own code needs it.
     */
    public static Behavior<Object> create(AgentIdentity identity, CompletionStage<KvmDecision> kvmProbe,
                                          IntFunction<Behavior<SlotRunner.Command>> slotFactory,
                                          ActiveLeases active, BatchValidator batches, AgentRejects rejects) {
        Behavior<Command> inner = Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new WorkerAgent(ctx, timers, identity, kvmProbe, slotFactory, active, new AgentMessageCheck(batches),
                        rejects)));
        return WireAdapter.wrap(AgentMessage.class, Unsolicited::new, Command.class, Unsolicited::new, inner);
    }

    private WorkerAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, AgentIdentity identity,
                        CompletionStage<KvmDecision> kvmProbe, IntFunction<Behavior<SlotRunner.Command>> slotFactory,
                        ActiveLeases active, AgentMessageCheck check, AgentRejects rejects) {
        super(ctx);
        ctx.pipeToSelf(kvmProbe, (decision, failure) -> new KvmProbed(failure == null ? decision
                : new KvmDecision(false, "the KVM probe failed: " + failure)));
        this.active = active;
        this.timers = timers;
        this.identity = identity;
        this.slotFactory = slotFactory;
        this.check = check;
        this.rejects = rejects;
        ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class,
                l -> new GatewaysChanged(l.getServiceInstances(GatewayMessage.SERVICE_KEY)));
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(GatewayMessage.SERVICE_KEY, adapter));
        ActorRef<ClusterEvent.MemberEvent> members = ctx.messageAdapter(ClusterEvent.MemberEvent.class,
                e -> new MembersChanged());
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
        ActorRef<Command> self = ctx.getSelf();
        var system = ctx.getSystem();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "ktest-ci-worker-goodbye",
                () -> AskPattern.ask(self, PrepareShutdown::new, Duration.ofSeconds(25), system.scheduler()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(GatewaysChanged.class, g -> {
                    listed = g.gateways();
                    return retrust();
                })
                .onMessage(MembersChanged.class, m -> retrust())
                .onMessage(HelloTimer.class, t -> onHelloTimer())
                .onMessage(KvmProbed.class, this::onKvmProbed)
                .onMessage(FromGateway.class, this::onFromGateway)
                .onMessage(Unsolicited.class, u -> refuse("unsolicited", u.message(),
                        "sent to the agent's own path, not through a gateway's door"))
                .onMessage(PrepareShutdown.class, this::onPrepareShutdown)
                .onMessage(SlotDrained.class, this::onSlotDrained)
                .build();
    }

    /** The listed gateways on the singleton's node are greeted; a change of them means a new hello. */
    private Behavior<Command> retrust() {
        Cluster cluster = Cluster.get(getContext().getSystem());
        Iterable<Member> members = cluster.state().getMembers();
        Optional<Address> singleton = GatewayTrust.singletonNode(members);
        Address self = cluster.selfMember().address();
        Set<ActorRef<GatewayMessage>> now = new LinkedHashSet<>();
        for (ActorRef<GatewayMessage> g : listed) {
            if (GatewayTrust.trusted(g.path().address(), singleton, self)) {
                now.add(g);
            } else if (distrustLogged.add(g)) {
                getContext().getLog().warn(
                        "ignoring gateway {}: not on the coordinator singleton's node {} ({} so far)", g.path(), singleton.map(Address::toString).orElse("(none yet)"),
                        rejects.count("untrusted_gateway"));
            }
        }
        forgetGatewaysOfGoneNodes(members, self);
        if (!now.equals(trusted)) {
            if (now.isEmpty() != trusted.isEmpty()) {
                // The Receptionist lists reachable gateways only: none means the coordinator is failing over,
                // restarting or cut off, and unanswered heartbeats must not end a run (SlotRunner.CoordinatorPresence).
                slots.forEach(s -> s.tell(new SlotRunner.CoordinatorPresence(!now.isEmpty())));
            }
            trusted = now;
            if (acknowledged != null && !trusted.contains(acknowledged)) {
                acknowledged = null;
            }
            greeted.retainAll(trusted);
            if (trusted.isEmpty()) {
                getContext().getLog().warn("no coordinator gateway in the cluster; waiting");
            } else {
                awaitingAck = true;
                sayHello();
            }
        }
        return this;
    }

    /** A gateway whose node left the cluster can never answer again: its door goes. */
    private void forgetGatewaysOfGoneNodes(Iterable<Member> members, Address self) {
        Set<Address> present = new HashSet<>();
        members.forEach(m -> present.add(m.address()));
        for (ActorRef<GatewayMessage> g : List.copyOf(doors.keySet())) {
            Address where = g.path().address().hasLocalScope() ? self : g.path().address();
            if (!present.contains(where)) {
                getContext().stop(doors.remove(g));
                greeted.remove(g);
                distrustLogged.remove(g);
            }
        }
    }

    private ActorRef<AgentMessage> doorOf(ActorRef<GatewayMessage> gateway) {
        return doors.computeIfAbsent(gateway, g -> getContext().<Object>spawn(door(g, getContext().getSelf()),
                "gateway-" + UUID.randomUUID()).narrow());
    }

    /** Wraps what arrives with the gateway it was handed to. */
    private static Behavior<Object> door(ActorRef<GatewayMessage> gateway, ActorRef<Command> agent) {
        return Behaviors.receive(Object.class).onAnyMessage(m -> {
            agent.tell(new FromGateway(gateway, m));
            return Behaviors.same();
        }).build();
    }

    private Behavior<Command> onHelloTimer() {
        if (awaitingAck && !trusted.isEmpty()) {
            sayHello();
        }
        return this;
    }

    private Behavior<Command> onKvmProbed(KvmProbed p) {
        kvm = p.decision();
        getContext().getLog().info("KVM {}: {}", kvm.usable() ? "used" : "not used", kvm.reason());
        if (awaitingAck && !trusted.isEmpty()) {
            sayHello();
        }
        return this;
    }

    private void sayHello() {
        if (kvm == null) {
            return; // onKvmProbed says hello
        }
        for (ActorRef<GatewayMessage> g : trusted) {
            g.tell(new WorkerHello(ProtocolVersion.CURRENT, identity.host(), identity.arch(), identity.slots(),
                    identity.agentVersion(), identity.ktestRevision(), identity.runner(), kvm.usable(), kvm.reason(),
                    identity.memoryMib(), identity.cpus(), active.snapshot(), doorOf(g)));
            greeted.add(g);
        }
        getContext().getLog().info("hello sent: host={} arch={} slots={} gateways={}", identity.host(), identity.arch(),
                identity.slots(), trusted.size());
        timers.startSingleTimer("hello", new HelloTimer(), HELLO_RETRY);
    }

    private Behavior<Command> onFromGateway(FromGateway f) {
        if (!(f.message() instanceof AgentMessage m)) {
            return refuse("foreign", f.message(), "not a coordinator message");
        }
        Optional<String> bad = check.problem(m);
        if (bad.isPresent()) {
            refuse("malformed", m, bad.get());
            if (m instanceof RunBatch b && b.executor() != null) {
                b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), RefusalReason.BAD_BATCH));
            }
            return this;
        }
        ActorRef<GatewayMessage> g = f.gateway();
        if (m instanceof HelloAck || m instanceof HelloRequest) {
            if (!trusted.contains(g) || !greeted.contains(g)) {
                return refuse("untrusted_gateway", m, "from " + g.path() + ", not a gateway this worker greeted");
            }
            if (m instanceof HelloAck && !awaitingAck) {
                return refuse("out_of_order", m, "a hello ack while no hello waits for one");
            }
            return m instanceof HelloAck a ? onHelloAck(g, a) : onHelloRequest();
        }
        if (!g.equals(acknowledged)) {
            refuse("not_acknowledged_gateway", m, "from " + g.path() + ", not the gateway that acknowledged "
                    + "this worker's hello (" + (acknowledged == null ? "none yet" : acknowledged.path()) + ")");
            if (m instanceof RunBatch b) {
                b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), RefusalReason.WRONG_GATEWAY));
            }
            return this;
        }
        ActorRef<AgentMessage> via = doorOf(g);
        if (m instanceof RunBatch b) {
            if (b.slot() >= slots.size()) {
                b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), RefusalReason.BAD_SLOT));
                return this;
            }
            slots.get(b.slot()).tell(new SlotRunner.FromCoordinator(b, via));
        } else {
            slots.forEach(s -> s.tell(new SlotRunner.FromCoordinator(m, via)));
        }
        return this;
    }

    private Behavior<Command> onHelloRequest() {
        awaitingAck = true;
        sayHello();
        return this;
    }

    private Behavior<Command> onHelloAck(ActorRef<GatewayMessage> gateway, HelloAck ack) {
        if (!ack.accepted()) {
            getContext().getLog().error("coordinator refused hello: {}", WireRules.quote(ack.reason()));
            if (gateway.equals(acknowledged)) {
                acknowledged = null;
            }
            return this;
        }
        acknowledged = gateway;
        awaitingAck = false;
        timers.cancel("hello");
        while (slots.size() < ack.slots()) {
            int n = slots.size();
            slots.add(getContext().spawn(slotFactory.apply(n), "slot-" + n));
        }
        if (ack.leaseTimeoutSecs() > 0 && ack.heartbeatIntervalSecs() > 0) {
            SlotRunner.LeaseTiming timing = new SlotRunner.LeaseTiming(Duration.ofSeconds(ack.heartbeatIntervalSecs()),
                    Duration.ofSeconds(ack.leaseTimeoutSecs()));
            slots.forEach(s -> s.tell(timing));
        }
        ActorRef<AgentMessage> via = doorOf(gateway);
        for (HelloAck.Resume r : ack.resume()) {
            slots.forEach(s -> s.tell(new SlotRunner.ResumeLease(r.leaseId(), r.executor(), r.expectedSeq(), via)));
        }
        for (String leaseId : ack.abandon()) {
            slots.forEach(s -> s.tell(new SlotRunner.AbandonLease(leaseId)));
        }
        getContext().getLog().info("hello accepted: host={} slots={} incarnation={} gateway={}", identity.host(),
                ack.slots(), Integer.toHexString(ack.incarnation()), gateway.path());
        return this;
    }

    /** A refused message: counted, logged (a flood only in part), never acted on. */
    private Behavior<Command> refuse(String reason, Object message, String why) {
        long n = rejects.count(reason);
        String type = message == null ? "null" : message.getClass().getSimpleName();
        rejectLog.admit(reason, System.currentTimeMillis()).ifPresent(more -> getContext().getLog().warn(
                "message refused: type={} reason={} ({} so far): {}{}", WireRules.quote(type), reason, n, why, more));
        return this;
    }

    private Behavior<Command> onPrepareShutdown(PrepareShutdown p) {
        shutdownReply = p.replyTo();
        slotsDraining = slots.size();
        getContext().getLog().info("worker stopping: host={} slots={}", identity.host(), slots.size());
        ActorRef<SlotRunner.Drained> adapter = getContext().messageAdapter(SlotRunner.Drained.class, SlotDrained::new);
        slots.forEach(s -> s.tell(new SlotRunner.Drain(adapter)));
        if (slotsDraining == 0) {
            sayGoodbye();
        }
        return this;
    }

    private Behavior<Command> onSlotDrained(SlotDrained d) {
        if (--slotsDraining == 0) {
            sayGoodbye();
        }
        return this;
    }

    /** After the runs are stopped, so the coordinator re-queues their jobs as worker_shutdown, not failures. */
    private void sayGoodbye() {
        trusted.forEach(g -> g.tell(new WorkerGoodbye(identity.host(), List.of(), doorOf(g))));
        getContext().getLog().info("goodbye sent: host={} gateways={}", identity.host(), trusted.size());
        shutdownReply.tell(Done.getInstance());
    }
}
