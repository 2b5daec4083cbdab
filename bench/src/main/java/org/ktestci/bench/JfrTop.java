package org.ktestci.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}) go: each sample is charged to the first
 * category (in the order below) that any frame of its stack belongs to, so "H2 storage" means samples with H2's
 * store on the stack, wherever the stack started. Also prints the hottest top frames and the samples per thread
 * group. Usage: {@code bench/run jfr-top FILE.jfr [top-n]}.
 */
public final class JfrTop {
    /** Categories, most specific first: a sample in H2 called from Slick is H2's. */
    private static final Map<String, Predicate<String>> CATEGORIES = new LinkedHashMap<>();

    static {
        CATEGORIES.put("H2 storage (MVStore: pages, chunks, file writes)", f -> f.startsWith("org.h2.mvstore."));
        CATEGORIES.put("H2 SQL engine (parse, insert, index, transactions)", f -> f.startsWith("org.h2."));
        CATEGORIES.put("PostgreSQL driver", f -> f.startsWith("org.postgresql."));
        CATEGORIES.put("Slick / HikariCP (JDBC plumbing)", f -> f.startsWith("slick.") || f.startsWith("com.zaxxer."));
        CATEGORIES.put("Event serialization (Jackson)", f -> f.startsWith("com.fasterxml.jackson.")
                || f.startsWith("org.apache.pekko.serialization.jackson."));
        CATEGORIES.put("pekko-persistence-jdbc (rows, queries, tags read)",
                f -> f.startsWith("org.apache.pekko.persistence.jdbc."));
        CATEGORIES.put("Scheduling (JobWindow, planner, claims)", f -> f.startsWith("org.ktestci.coordinator.scheduling."));
        CATEGORIES.put("Results entities and index (CommitEntity, ResultsStore)",
                f -> f.startsWith("org.ktestci.coordinator.results."));
        CATEGORIES.put("Executors and zero-work slots (lease protocol)",
                f -> f.startsWith("org.ktestci.coordinator.execution.") || f.startsWith("org.ktestci.bench."));
        CATEGORIES.put("Pekko persistence (event sourcing, stash)", f -> f.startsWith("org.apache.pekko.persistence."));
        CATEGORIES.put("Pekko actors, streams, dispatch", f -> f.startsWith("org.apache.pekko.")
                || f.startsWith("scala."));
    }

    /** Within samples in H2: what H2 was doing, by the first of these frames on the stack. */
    private static final Map<String, String> H2_OPERATIONS = new LinkedHashMap<>();

    static {
        H2_OPERATIONS.put("org.h2.schema.Sequence.flush", "identity sequence stored (a commit of its own)");
        H2_OPERATIONS.put("org.h2.mvstore.db.LobStorageMap", "LOB maps (payloads stored out of the row)");
        H2_OPERATIONS.put("org.h2.mvstore.MVStore.store", "commit: changed pages serialized and written");
        H2_OPERATIONS.put("org.h2.command.dml.Insert", "row inserts: B-tree indexes, unique and foreign keys");
        H2_OPERATIONS.put("org.h2.command.query", "queries");
        H2_OPERATIONS.put("org.h2.", "other (statements, sessions, background writer)");
    }

    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: bench/run jfr-top FILE.jfr [top-n]");
            System.exit(2);
        }
        int topN = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Integer> byCategory = new LinkedHashMap<>();
        CATEGORIES.keySet().forEach(c -> byCategory.put(c, 0));
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> h2 = new LinkedHashMap<>();
        int total = 0;
        long forces = 0;
        long writes = 0;
        long writtenBytes = 0;
        java.time.Duration forceTime = java.time.Duration.ZERO;
        java.time.Duration writeTime = java.time.Duration.ZERO;
        double jvmCpu = 0;
        double machineCpu = 0;
        int cpuSamples = 0;
        java.time.Instant first = null;
        java.time.Instant last = null;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            first = first == null || e.getStartTime().isBefore(first) ? e.getStartTime() : first;
            last = last == null || e.getEndTime().isAfter(last) ? e.getEndTime() : last;
            if (type.equals("jdk.FileForce")) {
                forces++;
                forceTime = forceTime.plus(e.getDuration());
                continue;
            }
            if (type.equals("jdk.FileWrite")) {
                writes++;
                writtenBytes += e.getLong("bytesWritten");
                writeTime = writeTime.plus(e.getDuration());
                continue;
            }
            if (type.equals("jdk.CPULoad")) {
                jvmCpu += e.getFloat("jvmUser") + e.getFloat("jvmSystem");
                machineCpu += e.getFloat("machineTotal");
                cpuSamples++;
                continue;
            }
            if (!type.equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            total++;
            List<RecordedFrame> frames = st.getFrames();
            topFrames.merge(name(frames.get(0)), 1, Integer::sum);
            byCategory.merge(category(frames), 1, Integer::sum);
            h2Operation(frames).ifPresent(op -> h2.merge(op, 1, Integer::sum));
            RecordedThread t = e.getThread("sampledThread");
            threads.merge(t == null ? "?" : threadGroup(t.getJavaName()), 1, Integer::sum);
        }
        double secs = first == null ? 0 : java.time.Duration.between(first, last).toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "%d CPU samples in %s (%.1f s recorded)%n", total, args[0], secs);
        if (cpuSamples > 0) {
            System.out.printf(Locale.ROOT, "CPU: this JVM %.0f %%, whole machine %.0f %% of all cores (mean of %d "
                    + "samples)%n", 100 * jvmCpu / cpuSamples, 100 * machineCpu / cpuSamples, cpuSamples);
        }
        // Only complete with jdk.FileForce#threshold=0ms and jdk.FileWrite#threshold=0ms (bench/run --jfr sets them).
        System.out.printf(Locale.ROOT, "File writes: %d (%.1f MiB, %.2f s in write calls); fsyncs (FileChannel.force): "
                        + "%d (%.2f s)%n", writes, writtenBytes / 1048576.0, writeTime.toMillis() / 1000.0, forces,
                forceTime.toMillis() / 1000.0);
        System.out.printf(Locale.ROOT, "%nBy what is on the stack (first match):%n");
        print(byCategory, total, Integer.MAX_VALUE);
        if (!h2.isEmpty()) {
            System.out.printf(Locale.ROOT, "%nSamples with H2 on the stack, by what H2 was doing (%% of all samples):%n");
            print(h2, total, Integer.MAX_VALUE);
        }
        System.out.printf(Locale.ROOT, "%nBy thread:%n");
        print(threads, total, 12);
        System.out.printf(Locale.ROOT, "%nTop frames (self time):%n");
        print(topFrames, total, topN);
    }

    private static String category(List<RecordedFrame> frames) {
        for (Map.Entry<String, Predicate<String>> c : CATEGORIES.entrySet()) {
            for (RecordedFrame f : frames) {
                if (c.getValue().test(f.getMethod().getType().getName())) {
                    return c.getKey();
                }
            }
        }
        return "JDK and other (GC-free: JIT, I/O, collections)";
    }

    private static java.util.Optional<String> h2Operation(List<RecordedFrame> frames) {
        for (Map.Entry<String, String> op : H2_OPERATIONS.entrySet()) {
            for (RecordedFrame f : frames) {
                if (name(f).startsWith(op.getKey())) {
                    return java.util.Optional.of(op.getValue());
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** Thread names without their numbers: "LeaseBench-pekko.actor.default-dispatcher-7" → "...dispatcher". */
    private static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("[-#]?\\d+$", "").replaceAll("\\d+", "N");
    }

    private static void print(Map<String, Integer> counts, int total, int limit) {
        counts.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue())).limit(limit)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f %%  %6d  %s%n",
                        100.0 * e.getValue() / Math.max(1, total), e.getValue(), e.getKey()));
    }
}
