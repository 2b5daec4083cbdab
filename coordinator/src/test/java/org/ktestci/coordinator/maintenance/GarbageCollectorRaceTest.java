package org.ktestci.coordinator.maintenance;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.OutputDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collector scans output_dir while the projector and the duration statistics write into it: each writes a
 * {@code *.new} temporary and renames it into place. A temporary listed by the scan and renamed before its stat
 * once failed the whole maintenance run (NoSuchFileException, seen in MaintenanceTest). Here a writer churns such
 * temporaries while the collector scans again and again (at least 3,000 of each); no scan may fail.
 */
class GarbageCollectorRaceTest {
    @TempDir
    Path out;

    @Test
    void temporariesRenamedDuringTheScanAreSkipped() throws Exception {
        String sha = "a".repeat(40);
        Path commitDir = Files.createDirectories(out.resolve(sha).resolve("t.x"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger renames = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try {
                while (!stop.get()) {
                    for (int i = 0; i < 20; i++) {
                        Path tmp = commitDir.resolve("status." + i + ".new");
                        Files.writeString(tmp, "x");
                        Files.move(tmp, commitDir.resolve("status"), StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                        Path blobTmp = out.resolve("test_durations.capnp." + i + ".new");
                        Files.writeString(blobTmp, "x");
                        Files.move(blobTmp, out.resolve("test_durations.capnp"), StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                        renames.addAndGet(2);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "temporary-writer");
        writer.start();
        GarbageCollector collector = new GarbageCollector(new OutputDir(out));
        // Scan until both sides have done enough to race, however the two threads are scheduled under load.
        int scans = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try {
            while ((scans < 3000 || renames.get() < 3000) && System.nanoTime() < deadline) {
                collector.staleTemporaries(System.currentTimeMillis());
                collector.plan(Set.of(), 0, System.currentTimeMillis(), true);
                scans++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(scans >= 3000 && renames.get() >= 3000,
                "the writer raced the scans: " + scans + " scans, " + renames.get() + " renames");
    }
}
