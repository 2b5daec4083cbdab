package org.ktestci.worker.agent;

import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.RunBatch;

import java.util.Optional;

/**
 * Whether a slot takes a {@code RunBatch}, decided from what the slot runs and has seen (protocol.md §2
 * {@code BatchRefused}, §4.2). In this order: a re-sent batch of the running lease is accepted again (idempotent);
 * an invalid batch is refused before its epoch is looked at, so it leaves no trace (issue 12); an epoch not
 * greater than the last one started is stale, which defeats a deposed coordinator; a draining slot takes nothing;
 * a batch for a slot whose stopped run is still winding down waits for it; a busy slot refuses. Pure logic of the
 * {@link SlotRunner}.
 */
final class BatchAdmission {
    sealed interface Decision {}

    /** A re-sent {@code RunBatch} of the running lease: say accepted again, change nothing. */
    record AcceptAgain() implements Decision {}

    /** Refused with {@code reason} ({@code BatchRefused}). */
    record Refuse(RefusalReason reason) implements Decision {}

    /**
     * Waits for the stopped run to end, then starts. Only the newest lease waits: {@code displaced} is the batch
     * that waited before, now refused as stale (a re-sent waiting batch keeps its place and displaces nothing).
     */
    record Wait(Optional<RunBatch> displaced) implements Decision {}

    /** Starts now. */
    record Start() implements Decision {}

    /**
     * The slot as a batch finds it: the running lease (null when idle) and whether its run was told to stop, the
     * batch waiting for it (or null), the last epoch started, and whether the agent is stopping.
     */
    record SlotState(String runningLease, boolean stopping, RunBatch waiting, long lastEpoch, boolean draining) {}

    private BatchAdmission() {
    }

    /** {@code refusal}: the batch check's verdict; only {@code bad_batch} refuses here (a kernel refusal runs). */
    static Decision decide(RunBatch b, Optional<BatchValidator.Refusal> refusal, SlotState slot) {
        if (slot.runningLease() != null && slot.runningLease().equals(b.leaseId())) {
            return new AcceptAgain();
        }
        if (refusal.isPresent() && refusal.get().reason().equals(BatchValidator.BAD_BATCH)) {
            return new Refuse(RefusalReason.BAD_BATCH);
        }
        if (b.epoch() <= slot.lastEpoch()) {
            return new Refuse(RefusalReason.STALE_EPOCH);
        }
        if (slot.draining()) {
            return new Refuse(RefusalReason.DRAINING);
        }
        if (slot.runningLease() != null && slot.stopping()) {
            // The coordinator already ended the old lease and leased the slot again: the old run is only
            // cleaning up (TERM→KILL, tmp dir), so the new batch waits for it rather than being refused.
            RunBatch waiting = slot.waiting();
            if (waiting == null || waiting.leaseId().equals(b.leaseId())) {
                return new Wait(Optional.empty());
            }
            return waiting.epoch() < b.epoch() ? new Wait(Optional.of(waiting)) : new Refuse(RefusalReason.STALE_EPOCH);
        }
        if (slot.runningLease() != null) {
            return new Refuse(RefusalReason.SLOT_BUSY);
        }
        return new Start();
    }
}
