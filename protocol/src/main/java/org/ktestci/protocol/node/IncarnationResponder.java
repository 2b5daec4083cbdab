package org.ktestci.protocol.node;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.ktestci.protocol.IncarnationQuery;
import org.ktestci.protocol.IncarnationReply;

/**
 * Runs on every coordinator node under {@code /user/}{@value #NAME} and answers {@link IncarnationQuery} with the
 * node's address and UID. Workers reach it by path, from outside the node's cluster, because a worker left in
 * the cluster of a coordinator that died cannot see the coordinator's new cluster any other way.
 */
public final class IncarnationResponder {
    public static final String NAME = "incarnation";

    private IncarnationResponder() {
    }

    /** The path a worker sends its query to on the node at {@code address}. */
    public static String pathAt(String address) {
        return address + "/user/" + NAME;
    }

    /** Anything but a query with a reply address is dropped: a member's bad message never stops the responder. */
    public static Behavior<Object> create() {
        return Behaviors.setup(ctx -> {
            UniqueAddress self = Cluster.get(ctx.getSystem()).selfMember().uniqueAddress();
            IncarnationReply reply = new IncarnationReply(self.address().toString(), self.longUid());
            return Behaviors.receive(Object.class)
                    .onMessage(IncarnationQuery.class, q -> {
                        if (q.replyTo() != null) {
                            q.replyTo().tell(reply);
                        }
                        return Behaviors.same();
                    })
                    .onAnyMessage(m -> Behaviors.same())
                    .build();
        });
    }
}
