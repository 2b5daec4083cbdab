package org.ktestci.coordinator.scheduling;

import java.util.HashSet;
import java.util.Set;

/**
 * A job's counted infrastructure failures and where they happened (scheduling.md §4, §8): kept 24 h after the
 * last one, so a job that leaves and re-enters the window keeps them.
 */
public record JobFailures(int count, Set<String> excludedHosts, Set<String> excludedSlots, long lastAt) {
    public static final long KEEP_MILLIS = 24L * 3600 * 1000;

    static JobFailures none() {
        return new JobFailures(0, Set.of(), Set.of(), 0);
    }

    JobFailures plus(String host, int slot, long at) {
        Set<String> hosts = new HashSet<>(excludedHosts);
        hosts.add(host);
        Set<String> slots = new HashSet<>(excludedSlots);
        slots.add(host + ":" + slot);
        return new JobFailures(count + 1, Set.copyOf(hosts), Set.copyOf(slots), at);
    }
}
