package org.ktestci.coordinator.maintenance;

import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Regenerates {@code <output_dir>/test_durations.capnp} (scheduling.md §6): over every {@code <sha>.capnp}, per
 * result key the mean duration of its Passed, Failed and Not run results, with counts. In progress and Failed
 * to run entries are left out, so infrastructure failures never pull averages down (Δ ktest counted them as 0 s).
 * Blocking: runs on the maintenance actor's blocking dispatcher or offline.
 */
public final class DurationStatistics {
    private static final Logger LOG = LoggerFactory.getLogger(DurationStatistics.class);

    private final OutputDir out;

    public DurationStatistics(OutputDir out) {
        this.out = out;
    }

    private static final class Sum {
        long total;
        long nr;
        long passed;
        long failed;
    }

    public List<DurationStat> compute() throws IOException {
        Map<String, Sum> sums = new HashMap<>();
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(out.root(), "*.capnp")) {
            for (Path blob : blobs) {
                String name = blob.getFileName().toString();
                if (!OutputDir.isSha(name.substring(0, name.length() - ".capnp".length()))) {
                    continue;
                }
                CommitResults r;
                try {
                    r = CommitResultsCodec.read(blob);
                } catch (IOException e) {
                    LOG.warn("durations: skipping unreadable {}: {}", blob, e.getMessage());
                    continue;
                }
                for (ResultEntry e : r.entries()) {
                    if (e.status() != Status.PASSED && e.status() != Status.FAILED && e.status() != Status.NOTRUN) {
                        continue;
                    }
                    Sum s = sums.computeIfAbsent(e.name(), k -> new Sum());
                    s.total += e.duration();
                    s.nr++;
                    s.passed += e.status() == Status.PASSED ? 1 : 0;
                    s.failed += e.status() == Status.FAILED ? 1 : 0;
                }
            }
        }
        List<DurationStat> stats = new ArrayList<>();
        sums.forEach((k, s) -> stats.add(new DurationStat(k, s.total / s.nr, s.nr, s.passed, s.failed)));
        stats.sort(DurationsCodec.BY_TEST);
        return stats;
    }

    /** Computes and writes the file atomically; returns the number of keys. */
    public int regenerate() throws IOException {
        List<DurationStat> stats = compute();
        DurationsCodec.writeAtomically(out.root().resolve(OutputDir.DURATIONS_BLOB), stats);
        LOG.info("test_durations.capnp: {} keys", stats.size());
        return stats.size();
    }
}
