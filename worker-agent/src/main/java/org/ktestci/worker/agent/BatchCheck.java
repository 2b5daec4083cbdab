package org.ktestci.worker.agent;

import org.ktestci.protocol.RunBatch;

import java.util.Optional;

/** A slot runner's check of a batch before it touches its epoch: why not to run it, or empty. */
@FunctionalInterface
public interface BatchCheck {
    Optional<BatchValidator.Refusal> check(RunBatch batch);

    /** Tests whose batches are made up: everything runs. */
    BatchCheck ANY = b -> Optional.empty();
}
