package org.ktestci.dashboard;

import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The first-failing / last-passing rule of http.md §5.4 over one key's history, newest first (index 0). Only
 * Passed and Failed count; if the newest of those is Failed, {@code firstFailing} is the oldest commit of the
 * unbroken Failed run starting there and {@code lastPassing} the Passed just below it.
 */
record FailureRun(OptionalInt firstFailing, OptionalInt lastPassing) {
    static final FailureRun NONE = new FailureRun(OptionalInt.empty(), OptionalInt.empty());

    /** {@code statuses.get(i)} is the key's status at commit i, empty when that commit has no result for it. */
    static FailureRun of(List<Optional<Status>> statuses) {
        int oldestFailed = -1;
        for (int i = 0; i < statuses.size(); i++) {
            Optional<Status> s = statuses.get(i);
            if (s.isEmpty() || (s.get() != Status.PASSED && s.get() != Status.FAILED)) {
                continue;
            }
            if (s.get() == Status.FAILED) {
                oldestFailed = i;
            } else {
                return oldestFailed < 0 ? NONE : new FailureRun(OptionalInt.of(oldestFailed), OptionalInt.of(i));
            }
        }
        return oldestFailed < 0 ? NONE : new FailureRun(OptionalInt.of(oldestFailed), OptionalInt.empty());
    }

    /** True iff a last passing commit exists directly below the first failing one (nothing untested between). */
    boolean exact() {
        return firstFailing.isPresent() && lastPassing.isPresent()
                && lastPassing.getAsInt() == firstFailing.getAsInt() + 1;
    }
}
