package org.ktestci.coordinator.scheduling;

import org.ktestci.coordinator.bisect.KnownFailureMask;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.schema.config.BranchConfig;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the first-bad-commit search (issue 14 item 3) reads and where its findings go: each branch's {@code bisect}
 * keys (read at each refill, so a reload changes them), the known issues that mask failures, and the results store
 * that records a finding.
 */
public record BisectionHooks(Function<String, Optional<BranchConfig>> branchConfigs, KnownFailureMask knownFailures,
                             Consumer<ResultsStore.RecordFirstBad> recordFirstBad) {
    /** No branch configs (so the defaults: search on), nothing masked, findings dropped: tests and benchmarks. */
    public static final BisectionHooks NONE = new BisectionHooks(b -> Optional.empty(), KnownFailureMask.NONE, f -> { });
}
