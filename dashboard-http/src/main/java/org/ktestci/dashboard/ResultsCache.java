package org.ktestci.dashboard;

import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decoded {@code <sha>.capnp} blobs in a compact form, validated against the file's (mtime, size, inode) at every use,
 * least recently used dropped beyond {@code maxEntries} result entries in total. A branch page or a key's history
 * touches hundreds of blobs of thousands of entries each; decoding them per request would cost seconds. Names
 * are shared between commits (the same keys recur in every commit), so an entry costs about 21 bytes.
 */
final class ResultsCache {
    /** About 170 MB: 500 commits × 13,000 results (a branch page or a key's history over 500 commits) fit. */
    static final long DEFAULT_MAX_ENTRIES = 8_000_000;

    /** One commit's results, entries sorted by name in byte order (storage.md §3). */
    static final class Compact {
        final String commit;
        final String message;
        final String[] names;
        final byte[] statuses;
        final int[] durations;
        final long[] starttimes;
        private volatile CountRow counts;

        private Compact(String commit, String message, int n) {
            this.commit = commit;
            this.message = message;
            this.names = new String[n];
            this.statuses = new byte[n];
            this.durations = new int[n];
            this.starttimes = new long[n];
        }

        int size() {
            return names.length;
        }

        Status status(int i) {
            return Status.fromOrdinal(statuses[i]);
        }

        /**
         * The index of {@code key}, or -1, trying {@code hint} first: callers that walk keys in byte order (the
         * commit page's 13,000 rows, each looked up in 20 commits) pass the previous hit: that key again or the next. Names are
         * interned per cache, so the common hit is an identity check.
         */
        int find(String key, int hint) {
            int end = Math.min(names.length, hint + 2);
            for (int i = Math.max(0, hint); i < end; i++) {
                if (names[i] == key) {
                    return i;
                }
            }
            return find(key);
        }

        /** The index of {@code key}, or -1. */
        int find(String key) {
            int lo = 0;
            int hi = names.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Utf8ByteOrder.compare(names[mid], key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }

        Optional<Status> statusOf(String key) {
            int i = find(key);
            return i < 0 ? Optional.empty() : Optional.of(status(i));
        }

        ResultEntry entry(int i) {
            return new ResultEntry(names[i], status(i), durations[i], starttimes[i]);
        }

        CommitResults toResults() {
            List<ResultEntry> entries = new ArrayList<>(names.length);
            for (int i = 0; i < names.length; i++) {
                entries.add(entry(i));
            }
            return new CommitResults(commit, message, entries);
        }

        /** Counts over all entries, computed once per decoded blob. */
        CountRow counts() {
            CountRow c = counts;
            if (c == null) {
                int[] n = new int[Status.values().length];
                long d = 0;
                for (int i = 0; i < names.length; i++) {
                    n[statuses[i]]++;
                    d += durations[i];
                }
                c = new CountRow(n[Status.PASSED.ordinal()], n[Status.FAILED.ordinal()], n[Status.NOTRUN.ordinal()],
                        n[Status.FAILED_TO_RUN.ordinal()], n[Status.INPROGRESS.ordinal()],
                        n[Status.UNKNOWN.ordinal()], d);
                counts = c;
            }
            return c;
        }
    }

    /** The file's identity too: an atomic rewrite is a new inode even within the same millisecond and size. */
    private record Stamp(long mtimeMillis, long size, Object fileKey) {}

    private record Cached(Stamp stamp, Compact results) {}

    private static final Logger LOG = LoggerFactory.getLogger(ResultsCache.class);

    private final OutputDir out;
    private final long maxEntries;
    private final Map<String, String> names = new HashMap<>();
    private final LinkedHashMap<String, Cached> lru = new LinkedHashMap<>(256, 0.75f, true);
    private long entries;

    ResultsCache(OutputDir out, long maxEntries) {
        this.out = out;
        this.maxEntries = maxEntries;
    }

    /** The commit's results as the blob on disk holds them now; empty without a blob. */
    Optional<Compact> get(String sha) {
        Stamp stamp;
        try {
            if (Files.isSymbolicLink(out.blob(sha)) && !insideOutputDir(out.blob(sha))) {
                // Never read outside output_dir (the coordinator writes no such link; someone planted it).
                LOG.warn("results blob {} links outside output_dir: ignored", out.blob(sha));
                drop(sha);
                return Optional.empty();
            }
            BasicFileAttributes a = Files.readAttributes(out.blob(sha), BasicFileAttributes.class);
            stamp = new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            drop(sha);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            Cached c = lru.get(sha);
            if (c != null && c.stamp().equals(stamp)) {
                return Optional.of(c.results());
            }
        }
        Optional<CommitResults> read;
        try {
            read = out.readResults(sha);
        } catch (NoSuchFileException e) {
            drop(sha);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (read.isEmpty()) {
            drop(sha);
            return Optional.empty();
        }
        Compact compact = compact(read.get());
        synchronized (this) {
            Cached old = lru.put(sha, new Cached(stamp, compact));
            entries += compact.size() - (old == null ? 0 : old.results().size());
            Iterator<Map.Entry<String, Cached>> it = lru.entrySet().iterator();
            while (entries > maxEntries && it.hasNext()) {
                Map.Entry<String, Cached> eldest = it.next();
                if (eldest.getKey().equals(sha)) {
                    continue; // the one just read stays, even when it alone exceeds the budget
                }
                entries -= eldest.getValue().results().size();
                it.remove();
            }
        }
        return Optional.of(compact);
    }

    private boolean insideOutputDir(Path blob) throws IOException {
        try {
            return blob.toRealPath().startsWith(out.root().toRealPath());
        } catch (NoSuchFileException e) {
            return true; // a dangling link is simply no blob
        }
    }

    private synchronized void drop(String sha) {
        Cached old = lru.remove(sha);
        if (old != null) {
            entries -= old.results().size();
        }
    }

    private Compact compact(CommitResults r) {
        List<ResultEntry> list = r.entries();
        for (int i = 1; i < list.size(); i++) {
            if (Utf8ByteOrder.compare(list.get(i - 1).name(), list.get(i).name()) > 0) {
                // Not as storage.md writes them (a foreign blob): sorted here so lookups stay correct.
                list = new ArrayList<>(list);
                list.sort((a, b) -> Utf8ByteOrder.compare(a.name(), b.name()));
                break;
            }
        }
        Compact c = new Compact(r.commit(), r.message(), list.size());
        synchronized (names) {
            for (int i = 0; i < list.size(); i++) {
                ResultEntry e = list.get(i);
                c.names[i] = names.computeIfAbsent(e.name(), k -> k);
                c.statuses[i] = (byte) e.status().ordinal();
                c.durations[i] = (int) Math.min(Integer.MAX_VALUE, e.duration());
                c.starttimes[i] = e.starttime();
            }
        }
        return c;
    }

    synchronized long cachedEntries() {
        return entries;
    }
}
