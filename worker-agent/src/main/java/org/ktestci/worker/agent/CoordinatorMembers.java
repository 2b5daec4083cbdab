package org.ktestci.worker.agent;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator nodes of this worker's cluster as the worker sees them: address, UID and reachability. Decides
 * whether an {@code IncarnationReply} comes from a coordinator this cluster does not know, i.e. one that restarted
 * at its old address into a new cluster while this worker was left behind in the old one.
 */
final class CoordinatorMembers {
    /** UID by address of the coordinator members that are up (or were, and are not removed yet). */
    private final Map<String, Long> uids = new HashMap<>();
    private final Set<String> unreachable = new HashSet<>();
    /** Every address a coordinator of this cluster ever had, probed besides the seed nodes. */
    private final Set<String> everSeen = new HashSet<>();

    void up(String address, long uid) {
        uids.put(address, uid);
        everSeen.add(address);
        unreachable.remove(address);
    }

    void removed(String address, long uid) {
        if (uids.remove(address, uid)) {
            unreachable.remove(address);
        }
    }

    void reachability(String address, boolean reachable) {
        if (!reachable && uids.containsKey(address)) {
            unreachable.add(address);
        } else {
            unreachable.remove(address);
        }
    }

    boolean seenAny() {
        return !everSeen.isEmpty();
    }

    boolean isEmpty() {
        return uids.isEmpty();
    }

    /** Whether a coordinator of this cluster is up and reachable: nothing to look for then. */
    boolean anyReachable() {
        return uids.keySet().stream().anyMatch(a -> !unreachable.contains(a));
    }

    Set<String> addresses() {
        return Set.copyOf(everSeen);
    }

    /**
     * A coordinator answered from {@code address} with {@code uid}: true when this cluster has no reachable
     * coordinator and the answer is not one of its members (the same node merely unreachable answers with its
     * own UID). Then the worker belongs in the answering node's cluster.
     */
    boolean isNewIncarnation(String address, long uid) {
        if (!seenAny() || anyReachable()) {
            return false;
        }
        Long known = uids.get(address);
        return known == null || known != uid;
    }
}
