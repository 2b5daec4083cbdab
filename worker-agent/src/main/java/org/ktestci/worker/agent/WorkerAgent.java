package org.ktestci.worker.agent;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;
import org.ktestci.worker.qemu.KvmDecision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;

/**
 * The worker host's representative: finds the coordinator's gateway through the Receptionist, says hello
 * (again whenever the gateway changes, and every 60 s until acknowledged), runs as many {@link SlotRunner}s as
 * the coordinator assigns, and routes lease messages to them.
 */
public final class WorkerAgent extends AbstractBehavior<AgentMessage> {
    private record GatewaysChanged(Set<ActorRef<GatewayMessage>> gateways)
            implements AgentMessage, NoSerializationVerificationNeeded {}

    private record HelloTimer() implements AgentMessage, NoSerializationVerificationNeeded {}

    /** The agent-start KVM probe has decided (it runs on a blocking thread, never on this actor's). */
    private record KvmProbed(KvmDecision decision) implements AgentMessage, NoSerializationVerificationNeeded {}

    /** Coordinated shutdown: stop every slot's run, say goodbye, then answer. */
    private record PrepareShutdown(ActorRef<Done> replyTo) implements AgentMessage, NoSerializationVerificationNeeded {}

    private record SlotDrained(SlotRunner.Drained drained) implements AgentMessage, NoSerializationVerificationNeeded {}

    private static final Duration HELLO_RETRY = Duration.ofSeconds(60);

    private final AgentIdentity identity;
    private final IntFunction<Behavior<AgentMessage>> slotFactory;
    private final ActiveLeases active;
    private final TimerScheduler<AgentMessage> timers;
    private final List<ActorRef<AgentMessage>> slots = new ArrayList<>();
    private Set<ActorRef<GatewayMessage>> gateways = Set.of();
    /** Null until the probe decides: the first hello waits for it, so it never announces a guess. */
    private KvmDecision kvm;
    private boolean acknowledged;
    private ActorRef<Done> shutdownReply;
    private int slotsDraining;

    /**
     * {@code kvmProbe} completes with the agent-start KVM decision; the first hello goes out once it has.
     * {@code active} is shared with the slot runners the factory creates: it feeds the hello's active leases.
     */
    public static Behavior<AgentMessage> create(AgentIdentity identity, CompletionStage<KvmDecision> kvmProbe,
                                                IntFunction<Behavior<AgentMessage>> slotFactory, ActiveLeases active) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new WorkerAgent(ctx, timers, identity, kvmProbe, slotFactory, active)));
    }

    public static Behavior<AgentMessage> create(AgentIdentity identity, CompletionStage<KvmDecision> kvmProbe,
                                                IntFunction<Behavior<AgentMessage>> slotFactory) {
        return create(identity, kvmProbe, slotFactory, new ActiveLeases());
    }

    private WorkerAgent(ActorContext<AgentMessage> ctx, TimerScheduler<AgentMessage> timers, AgentIdentity identity,
                        CompletionStage<KvmDecision> kvmProbe, IntFunction<Behavior<AgentMessage>> slotFactory,
                        ActiveLeases active) {
        super(ctx);
        ctx.pipeToSelf(kvmProbe, (decision, failure) -> new KvmProbed(failure == null ? decision
                : new KvmDecision(false, "the KVM probe failed: " + failure)));
        this.active = active;
        this.timers = timers;
        this.identity = identity;
        this.slotFactory = slotFactory;
        ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class,
                l -> new GatewaysChanged(l.getServiceInstances(GatewayMessage.SERVICE_KEY)));
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(GatewayMessage.SERVICE_KEY, adapter));
        ActorRef<AgentMessage> self = ctx.getSelf();
        var system = ctx.getSystem();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "ktest-ci-worker-goodbye",
                () -> AskPattern.ask(self, PrepareShutdown::new, Duration.ofSeconds(25), system.scheduler()));
    }

    @Override
    public Receive<AgentMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(GatewaysChanged.class, this::onGateways)
                .onMessage(HelloTimer.class, t -> onHelloTimer())
                .onMessage(KvmProbed.class, this::onKvmProbed)
                .onMessage(HelloAck.class, this::onHelloAck)
                .onMessage(HelloRequest.class, r -> {
                    acknowledged = false;
                    if (!gateways.isEmpty()) {
                        sayHello();
                    }
                    return this;
                })
                .onMessage(RunBatch.class, this::onRunBatch)
                .onMessage(RevokeLease.class, this::broadcast)
                .onMessage(HeartbeatAck.class, this::broadcast)
                .onMessage(Ack.class, this::broadcast)
                .onMessage(Reject.class, this::broadcast)
                .onMessage(PrepareShutdown.class, this::onPrepareShutdown)
                .onMessage(SlotDrained.class, this::onSlotDrained)
                .build();
    }

    private Behavior<AgentMessage> onGateways(GatewaysChanged g) {
        if (!g.gateways().equals(gateways)) {
            gateways = g.gateways();
            acknowledged = false;
            if (gateways.isEmpty()) {
                getContext().getLog().warn("no coordinator gateway in the cluster; waiting");
            } else {
                sayHello();
            }
        }
        return this;
    }

    private Behavior<AgentMessage> onHelloTimer() {
        if (!acknowledged && !gateways.isEmpty()) {
            sayHello();
        }
        return this;
    }

    private Behavior<AgentMessage> onKvmProbed(KvmProbed p) {
        kvm = p.decision();
        getContext().getLog().info("KVM {}: {}", kvm.usable() ? "used" : "not used", kvm.reason());
        if (!acknowledged && !gateways.isEmpty()) {
            sayHello();
        }
        return this;
    }

    private void sayHello() {
        if (kvm == null) {
            return; // onKvmProbed says hello
        }
        WorkerHello hello = new WorkerHello(ProtocolVersion.CURRENT, identity.host(), identity.arch(), identity.slots(),
                identity.agentVersion(), identity.ktestRevision(), identity.runner(), kvm.usable(), kvm.reason(),
                identity.memoryMib(), identity.cpus(), active.snapshot(), getContext().getSelf());
        gateways.forEach(g -> g.tell(hello));
        getContext().getLog().info("hello sent: host={} arch={} slots={} gateways={}", identity.host(), identity.arch(),
                identity.slots(), gateways.size());
        timers.startSingleTimer("hello", new HelloTimer(), HELLO_RETRY);
    }

    private Behavior<AgentMessage> onHelloAck(HelloAck ack) {
        if (!ack.accepted()) {
            getContext().getLog().error("coordinator refused hello: {}", ack.reason());
            return this;
        }
        acknowledged = true;
        timers.cancel("hello");
        while (slots.size() < ack.slots()) {
            int n = slots.size();
            slots.add(getContext().spawn(slotFactory.apply(n), "slot-" + n));
        }
        if (ack.leaseTimeoutSecs() > 0) {
            slots.forEach(s -> s.tell(new SlotRunner.LeaseTimeout(Duration.ofSeconds(ack.leaseTimeoutSecs()))));
        }
        for (HelloAck.Resume r : ack.resume()) {
            slots.forEach(s -> s.tell(new SlotRunner.ResumeLease(r.leaseId(), r.executor(), r.expectedSeq())));
        }
        for (String leaseId : ack.abandon()) {
            slots.forEach(s -> s.tell(new SlotRunner.AbandonLease(leaseId)));
        }
        getContext().getLog().info("hello accepted: host={} slots={} incarnation={}", identity.host(), ack.slots(),
                Integer.toHexString(ack.incarnation()));
        return this;
    }

    private Behavior<AgentMessage> onRunBatch(RunBatch b) {
        if (b.slot() < 0 || b.slot() >= slots.size()) {
            b.executor().tell(new BatchRefused(b.leaseId(), b.epoch(), "bad_slot"));
            return this;
        }
        slots.get(b.slot()).tell(b);
        return this;
    }

    private Behavior<AgentMessage> onPrepareShutdown(PrepareShutdown p) {
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

    private Behavior<AgentMessage> onSlotDrained(SlotDrained d) {
        if (--slotsDraining == 0) {
            sayGoodbye();
        }
        return this;
    }

    /** After the runs are stopped, so the coordinator re-queues their jobs as worker_shutdown, not failures. */
    private void sayGoodbye() {
        gateways.forEach(g -> g.tell(new WorkerGoodbye(identity.host(), List.of())));
        getContext().getLog().info("goodbye sent: host={} gateways={}", identity.host(), gateways.size());
        shutdownReply.tell(Done.getInstance());
    }

    private Behavior<AgentMessage> broadcast(AgentMessage m) {
        slots.forEach(s -> s.tell(m));
        return this;
    }
}
