package org.ktestci.dashboard;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rendered commit pages (10 MB for 13,000 results), reused while every blob the rendering read is still the same
 * {@link ResultsCache.Compact}: the results cache hands out a new instance whenever a blob's file changes, so
 * instance identity is the validator. Least recently used pages go beyond {@code maxBytes}.
 */
final class RenderedPages {
    static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /** A blob the page was rendered from: its sha and the instance read (null: the commit had no blob). */
    record Input(String sha, ResultsCache.Compact blob) {}

    private record Page(List<Input> inputs, byte[] html) {}

    private final Commits commits;
    private final long maxBytes;
    private final LinkedHashMap<String, Page> lru = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    RenderedPages(Commits commits, long maxBytes) {
        this.commits = commits;
        this.maxBytes = maxBytes;
    }

    /** The page stored under {@code key}, if none of its blobs changed since. */
    Optional<byte[]> get(String key) {
        Page p;
        synchronized (this) {
            p = lru.get(key);
        }
        if (p == null) {
            return Optional.empty();
        }
        for (Input in : p.inputs()) {
            if (commits.compact(in.sha()).orElse(null) != in.blob()) {
                return Optional.empty();
            }
        }
        return Optional.of(p.html());
    }

    synchronized void put(String key, List<Input> inputs, byte[] html) {
        if (html.length > maxBytes) {
            return;
        }
        Page old = lru.put(key, new Page(List.copyOf(inputs), html));
        bytes += html.length - (old == null ? 0 : old.html().length);
        Iterator<Map.Entry<String, Page>> it = lru.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<String, Page> eldest = it.next();
            if (!eldest.getKey().equals(key)) {
                bytes -= eldest.getValue().html().length;
                it.remove();
            }
        }
    }

    static List<Input> inputs(String sha, ResultsCache.Compact blob, List<Input> history) {
        List<Input> all = new ArrayList<>(history.size() + 1);
        all.add(new Input(sha, blob));
        all.addAll(history);
        return all;
    }
}
