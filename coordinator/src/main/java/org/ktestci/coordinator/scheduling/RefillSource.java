package org.ktestci.coordinator.scheduling;

import java.io.IOException;
import java.util.Set;
import java.util.function.Predicate;

/** Computes the desired jobs from config, git and results; called off the actor thread. */
@FunctionalInterface
public interface RefillSource {
    DesiredJobs.Result compute(Predicate<JobKey> excluded, Set<String> archesWithSlots, int window) throws IOException;
}
