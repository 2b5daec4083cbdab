package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The coordinator's door for worker-agents: checks each hello (protocol version, configured arch, duplicate
 * host), creates one {@link Executor} per assigned slot, and stops them when the agent goes away.
 */
public final class WorkerGateway extends AbstractBehavior<GatewayMessage> {
    private record AgentGone(String host, ActorRef<AgentMessage> agent)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event)
            implements GatewayMessage, NoSerializationVerificationNeeded {}

    /** The live hosts as the dashboard shows them. */
    public record GetHosts(ActorRef<List<HostView>> replyTo) implements GatewayMessage, NoSerializationVerificationNeeded {}

    public record HostView(String host, String arch, int slots, String runner, String agentVersion) {}

    private record Host(WorkerHello hello, int slots, List<ActorRef<ExecutorMessage>> executors) {}

    private final Function<String, HostSlots> hostConfig;
    private final ActorRef<JobWindow.Command> window;
    private final ActorRef<ResultsStore.Command> results;
    private final ActorRef<ArtifactStore.Command> artifacts;
    private final SchedulerSettings settings;
    private final int incarnation = ThreadLocalRandom.current().nextInt();
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    public static Behavior<GatewayMessage> create(Function<String, HostSlots> hostConfig,
                                                  ActorRef<JobWindow.Command> window,
                                                  ActorRef<ResultsStore.Command> results,
                                                  ActorRef<ArtifactStore.Command> artifacts,
                                                  SchedulerSettings settings) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(GatewayMessage.SERVICE_KEY, ctx.getSelf()));
            ActorRef<ClusterEvent.ReachabilityEvent> reach =
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
            Cluster.get(ctx.getSystem()).subscriptions()
                    .tell(Subscribe.create(reach, ClusterEvent.ReachabilityEvent.class));
            return new WorkerGateway(ctx, hostConfig, window, results, artifacts, settings);
        });
    }

    private WorkerGateway(ActorContext<GatewayMessage> ctx, Function<String, HostSlots> hostConfig,
                          ActorRef<JobWindow.Command> window, ActorRef<ResultsStore.Command> results,
                          ActorRef<ArtifactStore.Command> artifacts, SchedulerSettings settings) {
        super(ctx);
        this.hostConfig = hostConfig;
        this.window = window;
        this.results = results;
        this.artifacts = artifacts;
        this.settings = settings;
    }

    @Override
    public Receive<GatewayMessage> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerHello.class, this::onHello)
                .onMessage(WorkerGoodbye.class, this::onGoodbye)
                .onMessage(AgentGone.class, this::onAgentGone)
                .onMessage(GetHosts.class, this::onGetHosts)
                .onMessage(ReachabilityChanged.class, this::onReachability)
                .build();
    }

    private Behavior<GatewayMessage> onHello(WorkerHello h) {
        String refusal = refusalOf(h);
        if (refusal != null) {
            getContext().getLog().warn("refusing worker {} ({}): {}", h.host(), h.agent().path().address(), refusal);
            h.agent().tell(new HelloAck(ProtocolVersion.CURRENT, false, refusal, incarnation, 0, 0, 0));
            return this;
        }
        Host known = hosts.get(h.host());
        int slots = hostConfig.apply(h.host()).slots().orElse(h.slots());
        if (known == null) {
            List<ActorRef<ExecutorMessage>> executors = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                SlotId slot = new SlotId(h.host(), i);
                executors.add(getContext().spawn(
                        Executor.create(slot, h.arch(), h.agent(), window, results, artifacts, settings),
                        "executor-" + h.host() + "-" + i));
            }
            getContext().watchWith(h.agent(), new AgentGone(h.host(), h.agent()));
            hosts.put(h.host(), new Host(h, slots, executors));
            getContext().getLog().info("worker accepted: host={} arch={} slots={} runner={} agent={}", h.host(), h.arch(),
                    slots, h.runner(), h.agent().path());
            window.tell(new JobWindow.ArchesChanged(arches()));
        }
        h.agent().tell(new HelloAck(ProtocolVersion.CURRENT, true, "", incarnation, slots,
                (int) settings.heartbeatInterval().toSeconds(), (int) settings.leaseTimeout().toSeconds()));
        return this;
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
        for (Host h : hosts.values()) {
            if (h.hello().agent().path().address().equals(address)) {
                getContext().getLog().warn("worker {}: host={}", reachable ? "reachable again" : "unreachable",
                        h.hello().host());
                h.executors().forEach(e -> e.tell(new Executor.HostReachability(reachable)));
            }
        }
        return this;
    }

    private void removeHost(String host, String reason) {
        Host known = hosts.remove(host);
        if (known != null) {
            known.executors().forEach(e -> e.tell(new Executor.HostDown(reason)));
            getContext().unwatch(known.hello().agent());
            window.tell(new JobWindow.ArchesChanged(arches()));
        }
    }

    private Set<String> arches() {
        Set<String> a = new HashSet<>();
        hosts.values().forEach(h -> a.add(h.hello().arch()));
        return a;
    }

    private Behavior<GatewayMessage> onGetHosts(GetHosts q) {
        List<HostView> out = new ArrayList<>();
        hosts.values().forEach(h -> out.add(new HostView(h.hello().host(), h.hello().arch(), h.slots(),
                h.hello().runner(), h.hello().agentVersion())));
        q.replyTo().tell(List.copyOf(out));
        return this;
    }
}
