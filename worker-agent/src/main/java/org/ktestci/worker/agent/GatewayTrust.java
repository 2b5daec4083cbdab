package org.ktestci.worker.agent;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

import java.util.Optional;

/**
 * Which gateway a worker may greet and obey: only one on the node the coordinator singleton runs on, the oldest
 * member with the {@code coordinator} role (protocol.md §1). Any member can register a ref under the gateway's
 * service key; one on another node is ignored.
 */
final class GatewayTrust {
    static final String COORDINATOR_ROLE = "coordinator";

    private GatewayTrust() {
    }

    /** The oldest up (or leaving, while it hands over) member with the coordinator role. */
    static Optional<Address> singletonNode(Iterable<Member> members) {
        Member oldest = null;
        for (Member m : members) {
            boolean live = m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving();
            if (live && m.hasRole(COORDINATOR_ROLE) && (oldest == null || m.isOlderThan(oldest))) {
                oldest = m;
            }
        }
        return Optional.ofNullable(oldest).map(Member::address);
    }

    /** {@code gateway}: the address of a listed gateway ref (local refs carry no host: they are {@code self}'s). */
    static boolean trusted(Address gateway, Optional<Address> singletonNode, Address self) {
        Address where = gateway.hasLocalScope() ? self : gateway;
        return singletonNode.isPresent() && singletonNode.get().equals(where);
    }
}
