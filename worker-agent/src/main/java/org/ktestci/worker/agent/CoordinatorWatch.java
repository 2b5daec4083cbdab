package org.ktestci.worker.agent;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Stops the worker when its cluster has no coordinator node left. A Pekko node cannot join another cluster, so a
 * worker whose only coordinator died (and was downed) would wait forever; it exits instead, with status 1, and
 * systemd restarts it into the coordinator's new cluster (protocol.md §3). A standby coordinator keeps it in.
 */
public final class CoordinatorWatch {
    /** The shutdown reason {@code ktest-ci-worker} turns into exit status 1. */
    public static final CoordinatedShutdown.Reason COORDINATOR_LOST = new CoordinatedShutdown.Reason() {
        @Override
        public String toString() {
            return "CoordinatorLost";
        }
    };

    private interface Event extends NoSerializationVerificationNeeded {}

    private record Changed(ClusterEvent.MemberEvent event) implements Event {}

    private record Check() implements Event {}

    private CoordinatorWatch() {
    }

    public static Behavior<Void> create(Duration grace) {
        return Behaviors.<Event>setup(ctx -> Behaviors.<Event>withTimers(timers -> {
            ActorRef<ClusterEvent.MemberEvent> adapter = ctx.messageAdapter(ClusterEvent.MemberEvent.class, Changed::new);
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberEvent.class));
            Set<Member> coordinators = new HashSet<>();
            boolean[] seen = {false};
            return Behaviors.receive(Event.class)
                    .onMessage(Changed.class, c -> {
                        Member m = c.event().member();
                        if (!m.hasRole("coordinator")) {
                            return Behaviors.same();
                        }
                        coordinators.remove(m);
                        if (m.status() == MemberStatus.up()) {
                            coordinators.add(m);
                            seen[0] = true;
                            timers.cancel("check");
                        } else if (c.event() instanceof ClusterEvent.MemberRemoved && coordinators.isEmpty() && seen[0]) {
                            ctx.getLog().warn("no coordinator node left in the cluster; exiting in {} s unless one joins",
                                    grace.toSeconds());
                            timers.startSingleTimer("check", new Check(), grace);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Check.class, c -> {
                        if (coordinators.isEmpty()) {
                            ctx.getLog().error("the coordinator is gone; stopping so the service manager restarts "
                                    + "this worker into its new cluster");
                            CoordinatedShutdown.get(ctx.getSystem()).runAll(COORDINATOR_LOST);
                        }
                        return Behaviors.same();
                    })
                    .build();
        })).unsafeCast();
    }
}
