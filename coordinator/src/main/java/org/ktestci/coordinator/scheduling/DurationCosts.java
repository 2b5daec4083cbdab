package org.ktestci.coordinator.scheduling;

import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
import org.ktestci.schema.durations.DurationsTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A job's estimated cost (scheduling.md §6): {@code max(1, duration)} of its result key in
 * {@code test_durations.capnp}, else of the same key without its {@code @arch=} segment, else
 * {@code subtest_duration_def}. The file is re-read when its mtime changes. Thread-safe (refills run off-thread).
 */
public final class DurationCosts {
    private static final Logger LOG = LoggerFactory.getLogger(DurationCosts.class);

    private final Path file;
    private final int defaultCost;
    private volatile DurationsTable table = DurationsTable.EMPTY;
    private volatile long loadedMtime = Long.MIN_VALUE;
    private volatile long version;

    public DurationCosts(Path file, int defaultCost) {
        this.file = file;
        this.defaultCost = defaultCost;
    }

    /** A fixed default for every key (tests, or no output_dir). */
    public static DurationCosts constant(int cost) {
        return new DurationCosts(null, cost);
    }

    /** Re-reads the file if it changed; called once per refill. */
    public synchronized void refresh() {
        if (file == null) {
            return;
        }
        try {
            long mtime = Files.getLastModifiedTime(file).toMillis();
            if (mtime != loadedMtime) {
                table = new DurationsTable(DurationsCodec.read(file));
                loadedMtime = mtime;
                version++;
                LOG.info("durations loaded: {} keys from {}", table.size(), file);
            }
        } catch (NoSuchFileException e) {
            if (loadedMtime != Long.MIN_VALUE) {
                version++;
            }
            table = DurationsTable.EMPTY;
            loadedMtime = Long.MIN_VALUE;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("durations unreadable, using defaults: {}", e.getMessage());
        }
    }

    /** Changes whenever the table does: cached job matrices hold costs. */
    public long version() {
        return version;
    }

    public int cost(String resultKey) {
        Optional<DurationStat> s = table.find(resultKey);
        if (s.isEmpty()) {
            String withoutArch = withoutArchSegment(resultKey);
            if (!withoutArch.equals(resultKey)) {
                s = table.find(withoutArch);
            }
        }
        return s.map(d -> (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.duration()))).orElse(defaultCost);
    }

    /** {@code a.b@k@arch=x86_64.sub} → {@code a.b@k.sub}: the segment runs to the next '.' after it. */
    static String withoutArchSegment(String key) {
        int at = key.lastIndexOf("@arch=");
        if (at < 0) {
            return key;
        }
        int dot = key.indexOf('.', at);
        return dot < 0 ? key : key.substring(0, at) + key.substring(dot);
    }
}
