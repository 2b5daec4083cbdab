package org.ktestci.schema.results;

import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The content of {@code <sha>.capnp}: every result of one commit, entries sorted by name in byte order. */
public record CommitResults(String commit, String message, List<ResultEntry> entries) {
    private static final Comparator<ResultEntry> BY_NAME = Comparator.comparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR);

    public CommitResults {
        List<ResultEntry> sorted = new ArrayList<>(entries);
        sorted.sort(BY_NAME);
        entries = List.copyOf(sorted);
        message = message == null ? "" : message;
    }

    public Optional<ResultEntry> entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public Map<Status, Integer> counts() {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
        for (ResultEntry e : entries) {
            counts.merge(e.status(), 1, Integer::sum);
        }
        return counts;
    }

    public long totalDuration() {
        return entries.stream().mapToLong(ResultEntry::duration).sum();
    }

    /** First line of the commit message. */
    public String subject() {
        int nl = message.indexOf('\n');
        return nl >= 0 ? message.substring(0, nl) : message;
    }
}
