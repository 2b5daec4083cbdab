package org.ktestci.coordinator.live;

import org.ktestci.protocol.CborSerializable;

import java.util.List;

/**
 * What the coordinator singleton relays to every coordinator node's {@code EventHub} through the
 * {@value #TOPIC} pub-sub topic (README "EventHub: every coordinator node, fed through a pub-sub Topic"): SSE
 * events with the ids the singleton assigned, and the unpersisted console lines of running leases.
 */
public sealed interface LiveMessage extends CborSerializable {
    String TOPIC = "ktest-ci-live-events";

    /** One SSE event; {@code json} is its {@code data} line, {@code commit} null for events of no commit. */
    record Event(String id, String type, String json, String commit, List<String> branches) implements LiveMessage {}

    record LeaseStarted(String leaseId) implements LiveMessage {}

    record LeaseLog(String leaseId, List<String> lines) implements LiveMessage {}

    record LeaseClosed(String leaseId) implements LiveMessage {}
}
