package org.ktestci.schema.durations;

import org.ktestci.schema.keys.Utf8ByteOrder;

import java.util.List;
import java.util.Optional;

/**
 * Lookups in a {@code test_durations.capnp} read into memory: binary search over entries sorted by key in byte
 * order (scheduling.md §6). Entries that are not sorted are rejected, since a binary search over them lies.
 */
public final class DurationsTable {
    public static final DurationsTable EMPTY = new DurationsTable(List.of());

    private final List<DurationStat> sorted;

    public DurationsTable(List<DurationStat> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            if (Utf8ByteOrder.compare(sorted.get(i - 1).test(), sorted.get(i).test()) >= 0) {
                throw new IllegalArgumentException("durations not sorted by key at entry " + i + ": "
                        + sorted.get(i).test());
            }
        }
        this.sorted = List.copyOf(sorted);
    }

    public int size() {
        return sorted.size();
    }

    public Optional<DurationStat> find(String key) {
        int lo = 0;
        int hi = sorted.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Utf8ByteOrder.compare(sorted.get(mid).test(), key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return Optional.of(sorted.get(mid));
            }
        }
        return Optional.empty();
    }
}
