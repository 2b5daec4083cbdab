package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.IterationOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RefusalReason;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each wire enum of a worker message, as {@link LeaseMessageCheck} sees it after decoding: a string this release
 * does not know is named as the field's problem (so the message gets {@code Reject{malformed}}), and every string
 * it knows passes.
 */
class CraftedWireValuesTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final String LEASE = "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void anUnknownBatchOutcomeIsMalformed() {
        assertEquals(Optional.of("outcome unknown"), problemOfFinished("MAYBE", "", "subtest_not_found", "success"));
        assertEquals(Optional.of("outcome unknown"), problemOfFinished("completed", "", "subtest_not_found",
                "success"), "wire names are case-sensitive, as the strings were");
        for (BatchOutcome o : BatchOutcome.values()) {
            if (o.known()) {
                assertEquals(Optional.empty(), problemOfFinished(o.wireName(), "", "subtest_not_found", "success"));
            }
        }
    }

    @Test
    void anUnknownLeaseEndReasonIsMalformedInTheBatchAndInItsUnreachedKeys() {
        assertEquals(Optional.of("reason unknown"), problemOfFinished("INFRA_FAILURE", "Bad Reason",
                "subtest_not_found", "success"));
        assertEquals(Optional.of("reason unknown"), problemOfFinished("INFRA_FAILURE", "no_such_reason",
                "subtest_not_found", "success"), "a well-formed word is not enough");
        assertEquals(Optional.of("unreached entry \"Unreached[resultKey=t.b, reason=?]\""),
                problemOfFinished("INFRA_FAILURE", "deps_failed", "no_such_reason", "success"));
        assertEquals(Optional.of("unreached entry \"Unreached[resultKey=t.b, reason=]\""),
                problemOfFinished("INFRA_FAILURE", "deps_failed", "", "success"), "an unreached key has a reason");
        for (LeaseEndReason r : LeaseEndReason.values()) {
            if (r.known() && r != LeaseEndReason.NONE) {
                assertEquals(Optional.empty(), problemOfFinished("INFRA_FAILURE", r.wireName(), r.wireName(),
                        "success"), r.wireName());
            }
        }
    }

    @Test
    void anUnknownIterationOutcomeIsMalformed() {
        assertEquals(Optional.of("iteration entry \"Iteration[runner=host, arch=x86_64, seconds=3, outcome=?]\""),
                problemOfFinished("COMPLETED", "", "subtest_not_found", "exploded"));
        for (IterationOutcome o : IterationOutcome.values()) {
            if (o.known()) {
                assertEquals(Optional.empty(), problemOfFinished("COMPLETED", "", "subtest_not_found", o.wireName()));
            }
        }
    }

    @Test
    void anUnknownRefusalReasonIsMalformed() {
        assertEquals(Optional.of("refusal reason unknown"),
                LeaseMessageCheck.problem(PeerWire.refused(KIT.system(), LEASE, 3, "No Way")));
        assertEquals(Optional.of("refusal reason null"),
                LeaseMessageCheck.problem(PeerWire.refused(KIT.system(), LEASE, 3, null)));
        for (RefusalReason r : RefusalReason.values()) {
            if (r.known()) {
                assertEquals(Optional.empty(),
                        LeaseMessageCheck.problem(PeerWire.refused(KIT.system(), LEASE, 3, r.wireName())));
            }
        }
    }

    private static Optional<String> problemOfFinished(String outcome, String reason, String unreached,
                                                      String iteration) {
        return LeaseMessageCheck.problem(PeerWire.finished(KIT.system(), LEASE, 3, 4, outcome, reason, unreached,
                iteration));
    }
}
