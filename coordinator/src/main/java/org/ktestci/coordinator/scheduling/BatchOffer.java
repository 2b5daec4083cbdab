package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.ktestci.protocol.ExecutorMessage;

/** JobWindow's answer to a slot's claim; stays inside the coordinator singleton. */
public record BatchOffer(LeaseGrant grant) implements ExecutorMessage, NoSerializationVerificationNeeded {
}
