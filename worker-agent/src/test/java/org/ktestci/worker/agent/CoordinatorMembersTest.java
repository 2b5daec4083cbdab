package org.ktestci.worker.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a coordinator's answer means "restarted at its old address" and when it does not. */
class CoordinatorMembersTest {
    private static final String C1 = "pekko://ktest-ci@127.0.0.1:25520";
    private static final String C2 = "pekko://ktest-ci@127.0.0.1:25521";

    @Test
    void beforeAnyCoordinatorWasSeenNoAnswerCounts() {
        CoordinatorMembers m = new CoordinatorMembers();
        assertFalse(m.isNewIncarnation(C1, 7), "still joining: the worker was never in a coordinator's cluster");
    }

    @Test
    void whileACoordinatorIsReachableNoAnswerCounts() {
        CoordinatorMembers m = new CoordinatorMembers();
        m.up(C1, 1);
        m.up(C2, 2);
        m.reachability(C1, false);
        assertTrue(m.anyReachable());
        assertFalse(m.isNewIncarnation(C1, 99), "the standby C2 is reachable: it takes over, nobody leaves");
    }

    @Test
    void anUnreachableCoordinatorAnsweringWithItsOwnUidIsABlipNotARestart() {
        CoordinatorMembers m = new CoordinatorMembers();
        m.up(C1, 1);
        m.reachability(C1, false);
        assertFalse(m.anyReachable());
        assertFalse(m.isNewIncarnation(C1, 1));
        m.reachability(C1, true);
        assertTrue(m.anyReachable());
    }

    @Test
    void anUnreachableCoordinatorsAddressAnsweringWithANewUidIsARestart() {
        CoordinatorMembers m = new CoordinatorMembers();
        m.up(C1, 1);
        m.reachability(C1, false);
        assertTrue(m.isNewIncarnation(C1, 2));
    }

    @Test
    void afterTheLastCoordinatorWasRemovedAnyAnswerIsANewCluster() {
        CoordinatorMembers m = new CoordinatorMembers();
        m.up(C1, 1);
        m.reachability(C1, false);
        m.removed(C1, 1);
        assertTrue(m.isEmpty());
        assertTrue(m.addresses().contains(C1), "its address is still probed");
        assertTrue(m.isNewIncarnation(C1, 2));
        assertTrue(m.isNewIncarnation(C2, 5), "a coordinator at another seed address");
    }

    @Test
    void aRemovalOfAnOlderIncarnationDoesNotForgetTheCurrentOne() {
        CoordinatorMembers m = new CoordinatorMembers();
        m.up(C1, 2);
        m.removed(C1, 1);
        assertFalse(m.isEmpty());
        assertTrue(m.anyReachable());
    }
}
