package org.ktestci.coordinator.scheduling;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/** JobWindow's answer to a slot's claim; stays inside the coordinator singleton (never a wire message). */
public record BatchOffer(LeaseGrant grant) implements NoSerializationVerificationNeeded {
}
