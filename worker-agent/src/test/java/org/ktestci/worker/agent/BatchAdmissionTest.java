package org.ktestci.worker.agent;

import org.junit.jupiter.api.Test;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.RunBatch;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchAdmissionTest {
    private static final Optional<BatchValidator.Refusal> FINE = Optional.empty();

    private static RunBatch batch(String lease, long epoch) {
        return new RunBatch(lease, epoch, 0, 1, "linux", "0123456789abcdef0123456789abcdef01234567", List.of(), "",
                "t.ktest", "", Map.of(), "x86_64", List.of(new RunBatch.BatchSubtest("a", "t.a", 30)), "t", 60, null);
    }

    private static BatchAdmission.SlotState idle(long lastEpoch) {
        return new BatchAdmission.SlotState(null, false, null, lastEpoch, false);
    }

    private static BatchAdmission.SlotState running(String lease, boolean stopping, RunBatch waiting) {
        return new BatchAdmission.SlotState(lease, stopping, waiting, 10, false);
    }

    private static Optional<BatchValidator.Refusal> refusal(String reason) {
        return Optional.of(new BatchValidator.Refusal(reason, "why"));
    }

    @Test
    void anIdleSlotStartsANewerEpochAndRefusesAStaleOne() {
        assertEquals(new BatchAdmission.Start(), BatchAdmission.decide(batch("L", 11), FINE, idle(10)));
        assertEquals(new BatchAdmission.Refuse(RefusalReason.STALE_EPOCH), BatchAdmission.decide(batch("L", 10), FINE,
                idle(10)));
        assertEquals(new BatchAdmission.Refuse(RefusalReason.STALE_EPOCH), BatchAdmission.decide(batch("L", 3), FINE,
                idle(10)));
    }

    @Test
    void anInvalidBatchIsRefusedBeforeItsEpochIsLookedAtAndAKernelRefusalStillStarts() {
        assertEquals(new BatchAdmission.Refuse(RefusalReason.BAD_BATCH),
                BatchAdmission.decide(batch("L", 3), refusal(BatchValidator.BAD_BATCH), idle(10)));
        assertEquals(new BatchAdmission.Start(),
                BatchAdmission.decide(batch("L", 11), refusal(BatchValidator.NO_KERNEL), idle(10)),
                "it runs, and ends as no_kernel");
    }

    @Test
    void aReSentBatchOfTheRunningLeaseIsAcceptedAgainWhateverElseHolds() {
        assertEquals(new BatchAdmission.AcceptAgain(), BatchAdmission.decide(batch("R", 10), FINE,
                new BatchAdmission.SlotState("R", true, null, 10, true)));
    }

    @Test
    void aDrainingSlotAndABusySlotRefuse() {
        assertEquals(new BatchAdmission.Refuse(RefusalReason.DRAINING), BatchAdmission.decide(batch("L", 11), FINE,
                new BatchAdmission.SlotState(null, false, null, 10, true)));
        assertEquals(new BatchAdmission.Refuse(RefusalReason.SLOT_BUSY),
                BatchAdmission.decide(batch("L", 11), FINE, running("R", false, null)));
    }

    @Test
    void onlyTheNewestLeaseWaitsForAStoppingRun() {
        assertEquals(new BatchAdmission.Wait(Optional.empty()),
                BatchAdmission.decide(batch("A", 12), FINE, running("R", true, null)));
        RunBatch a = batch("A", 12);
        assertEquals(new BatchAdmission.Wait(Optional.empty()),
                BatchAdmission.decide(batch("A", 12), FINE, running("R", true, a)), "a re-send keeps its place");
        assertEquals(new BatchAdmission.Wait(Optional.of(a)),
                BatchAdmission.decide(batch("B", 13), FINE, running("R", true, a)), "the older one is displaced");
        assertEquals(new BatchAdmission.Refuse(RefusalReason.STALE_EPOCH),
                BatchAdmission.decide(batch("C", 11), FINE, running("R", true, a)), "an older one than the waiting");
    }
}
