package org.ktestci.worker.agent;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;
import org.ktestci.protocol.IncarnationQuery;
import org.ktestci.protocol.IncarnationReply;
import org.ktestci.protocol.node.IncarnationResponder;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Gets the worker out of a cluster that has no coordinator any more. A Pekko node cannot join another cluster, so
 * the worker's actor system stops and {@code ktest-ci-worker} starts a new one in the same process, which joins the
 * coordinator's current cluster (protocol.md §3):
 *
 * <ul>
 *   <li>While no coordinator of the cluster is reachable, it asks every seed node, once per {@code probeInterval},
 *   which incarnation listens there ({@link IncarnationQuery}). A coordinator that answers with a UID the cluster
 *   does not know was restarted at its old address: the worker leaves at once instead of waiting for the
 *   split-brain resolver to down the dead incarnation (10 s) and then for the grace below.</li>
 *   <li>When the last coordinator member is removed and none joins within {@code grace}, it leaves too.</li>
 * </ul>
 *
 * A coordinator that is only unreachable (a blip, or this worker was frozen) answers with its own UID and changes
 * nothing; a standby coordinator that stays reachable keeps the worker in its cluster.
 */
public final class CoordinatorWatch {
    /** The coordinator member was removed and no other joined within the grace period. */
    public static final CoordinatedShutdown.Reason COORDINATOR_LOST = new CoordinatedShutdown.Reason() {
        @Override
        public String toString() {
            return "CoordinatorLost";
        }
    };

    /** A coordinator at a seed address answered with a UID this worker's cluster does not know. */
    public static final CoordinatedShutdown.Reason COORDINATOR_RESTARTED = new CoordinatedShutdown.Reason() {
        @Override
        public String toString() {
            return "CoordinatorRestarted";
        }
    };

    /** Whether {@code reason} asks {@code ktest-ci-worker} for a fresh actor system that joins the coordinator again. */
    public static boolean rejoins(Object reason) {
        return reason == COORDINATOR_LOST || reason == COORDINATOR_RESTARTED;
    }

    private sealed interface Event extends NoSerializationVerificationNeeded
            permits MemberChanged, ReachabilityChanged, Check, Probe, Answered {}

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Event {}

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Event {}

    private record Check() implements Event {}

    private record Probe() implements Event {}

    private record Answered(IncarnationReply reply) implements Event {}

    private CoordinatorWatch() {
    }

    /** @param seedNodes the worker's seed addresses ({@code pekko://ktest-ci@host:port}), probed besides members */
    public static Behavior<Void> create(Duration grace, Duration probeInterval, List<String> seedNodes) {
        return Behaviors.<Event>setup(ctx -> Behaviors.<Event>withTimers(timers -> {
            var cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(
                    ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
                    ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(
                    ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                    ClusterEvent.ReachabilityEvent.class));
            // Answers come through a child with an unguessable name, as the agent's gateway doors do, so no other
            // member can address one to this watch.
            ActorRef<IncarnationReply> replies = ctx.<Object>spawn(replyDoor(ctx.getSelf()),
                    "incarnation-replies-" + UUID.randomUUID()).narrow();
            var classic = Adapter.toClassic(ctx.getSystem());
            CoordinatorMembers members = new CoordinatorMembers();
            boolean[] leaving = {false};
            Runnable probeWhenNeeded = () -> {
                boolean needed = members.seenAny() && !members.anyReachable() && !leaving[0];
                if (needed && !timers.isTimerActive("probe")) {
                    timers.startTimerWithFixedDelay("probe", new Probe(), Duration.ZERO, probeInterval);
                } else if (!needed) {
                    timers.cancel("probe");
                }
            };
            return Behaviors.receive(Event.class)
                    .onMessage(MemberChanged.class, c -> {
                        Member m = c.event().member();
                        if (m.hasRole("coordinator")) {
                            String address = m.address().toString();
                            if (m.status() == MemberStatus.up()) {
                                members.up(address, m.uniqueAddress().longUid());
                                timers.cancel("check");
                            } else if (c.event() instanceof ClusterEvent.MemberRemoved) {
                                members.removed(address, m.uniqueAddress().longUid());
                                if (members.isEmpty() && members.seenAny() && !leaving[0]) {
                                    ctx.getLog().warn("no coordinator node left in the cluster; leaving in {} s "
                                            + "unless one joins", grace.toSeconds());
                                    timers.startSingleTimer("check", new Check(), grace);
                                }
                            }
                            probeWhenNeeded.run();
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ReachabilityChanged.class, c -> {
                        if (c.event().member().hasRole("coordinator")) {
                            members.reachability(c.event().member().address().toString(),
                                    c.event() instanceof ClusterEvent.ReachableMember);
                            probeWhenNeeded.run();
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Probe.class, p -> {
                        for (String address : targets(seedNodes, members)) {
                            classic.actorSelection(IncarnationResponder.pathAt(address))
                                    .tell(new IncarnationQuery(replies), classic.deadLetters());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Answered.class, a -> {
                        IncarnationReply r = a.reply();
                        boolean probed = r.address() != null && targets(seedNodes, members).contains(r.address());
                        if (!leaving[0] && probed && members.isNewIncarnation(r.address(), r.uid())) {
                            leaving[0] = true;
                            timers.cancel("probe");
                            ctx.getLog().warn("coordinator {} answers as a new incarnation (uid {}): leaving this "
                                    + "cluster to join its new one", r.address(), Long.toHexString(r.uid()));
                            leave(ctx.getSystem(), cluster, COORDINATOR_RESTARTED);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Check.class, c -> {
                        if (members.isEmpty() && !leaving[0]) {
                            leaving[0] = true;
                            ctx.getLog().error("the coordinator is gone; leaving this cluster to join its new one");
                            leave(ctx.getSystem(), cluster, COORDINATOR_LOST);
                        }
                        return Behaviors.same();
                    })
                    .build();
        })).unsafeCast();
    }

    /** The seed nodes and every address a coordinator of this cluster had: where a restarted one would listen. */
    private static Set<String> targets(List<String> seedNodes, CoordinatorMembers members) {
        Set<String> targets = new LinkedHashSet<>(seedNodes);
        targets.addAll(members.addresses());
        return targets;
    }

    /** Passes on what is an {@link IncarnationReply}; anything else a member delivered is dropped. */
    private static Behavior<Object> replyDoor(ActorRef<Event> watch) {
        return Behaviors.receive(Object.class)
                .onMessage(IncarnationReply.class, r -> {
                    watch.tell(new Answered(r));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /**
     * Stops this actor system with {@code reason} (the run is stopped and goodbye said first). The node downs itself
     * too: a graceful leave waits for a convergence the dead coordinator's unreachable member would block.
     */
    private static void leave(ActorSystem<?> system, Cluster cluster,
                              CoordinatedShutdown.Reason reason) {
        CoordinatedShutdown.get(system).runAll(reason); // first, so the reason is ours and not the downing's
        cluster.manager().tell(new Down(cluster.selfMember().address()));
    }
}
