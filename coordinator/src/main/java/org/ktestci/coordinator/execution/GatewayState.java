package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.ktestci.protocol.WorkerHello;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link WorkerGateway}'s hosts, kept outside its behaviour so that a restart after a failure keeps every
 * connected host and its executors (which the restart does not stop).
 */
final class GatewayState {
    record Host(WorkerHello hello, int slots, boolean slotsFromConfig, List<ActorRef<Executor.Command>> executors,
                boolean reachable) {
        Host withReachable(boolean r) {
            return new Host(hello, slots, slotsFromConfig, executors, r);
        }
    }

    final Map<String, Host> hosts = new LinkedHashMap<>();
    /** Hosts whose first hello waits for the window's resume decision. */
    final Set<String> joining = new HashSet<>();
    /** The gateway ran once already: a new behaviour is a restart. */
    boolean started;
}
