package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sent by a worker to a seed address while its cluster has no reachable coordinator (docs/security.md): whoever
 * listens there says which incarnation of the node it is, so a worker can tell a coordinator restarted at the
 * same address (a new UID, in a new cluster) from a dead or partitioned one and rejoin at once.
 */
public record IncarnationQuery(@JsonProperty("replyTo") ActorRef<IncarnationReply> replyTo)
        implements CborSerializable {
}
