package org.ktestci.coordinator.live;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.ktestci.dashboard.EventHub;

import java.util.Optional;

/**
 * One per coordinator node: subscribes to {@link LiveMessage#TOPIC} and hands what the singleton published to
 * this node's {@link EventHub}, so SSE clients of a standby node see the same events, with the same ids, as
 * clients of the node running the singleton. The hub only takes locks held for a fan-out; nothing blocks.
 */
public final class LiveRelay {
    private LiveRelay() {
    }

    /** The node's topic actor (spawned once per node; every node's instance of a topic name forms one topic). */
    public static Behavior<Topic.Command<LiveMessage>> topic() {
        return Topic.create(LiveMessage.class, LiveMessage.TOPIC);
    }

    /** A message the hub refuses (say, an event type from a newer version) is logged and skipped, never fatal. */
    public static Behavior<LiveMessage> create(ActorRef<Topic.Command<LiveMessage>> topic, EventHub hub) {
        return Behaviors.supervise(relay(topic, hub)).onFailure(IllegalArgumentException.class,
                SupervisorStrategy.resume());
    }

    private static Behavior<LiveMessage> relay(ActorRef<Topic.Command<LiveMessage>> topic, EventHub hub) {
        return Behaviors.setup(ctx -> {
            topic.tell(Topic.subscribe(ctx.getSelf()));
            return Behaviors.receive(LiveMessage.class)
                    .onMessage(LiveMessage.Event.class, e -> {
                        hub.deliver(e.id(), e.type(), e.json(), Optional.ofNullable(e.commit()), e.branches());
                        return Behaviors.same();
                    })
                    .onMessage(LiveMessage.LeaseStarted.class, m -> {
                        hub.leaseStarted(m.leaseId());
                        return Behaviors.same();
                    })
                    .onMessage(LiveMessage.LeaseLog.class, m -> {
                        hub.leaseLog(m.leaseId(), m.lines());
                        return Behaviors.same();
                    })
                    .onMessage(LiveMessage.LeaseClosed.class, m -> {
                        hub.leaseEnded(m.leaseId());
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
