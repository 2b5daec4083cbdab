package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
import org.ktestci.schema.durations.DurationsTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Job costs from a real {@code test_durations.capnp} (scheduling.md §6). */
class DurationCostsTest {
    private static final int DEF = 600;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private Path write(long mtimeMillis, DurationStat... stats) throws IOException {
        Path f = dir.resolve("test_durations.capnp");
        DurationsCodec.writeAtomically(f, List.of(stats));
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
        return f;
    }

    private static DurationStat stat(String key, long duration) {
        return new DurationStat(key, duration, 3, 2, 1);
    }

    @Test
    void looksUpTheExactKeyThenTheKeyWithoutItsArchSegmentThenTheDefault() throws IOException {
        // Deliberately out of order: the codec sorts by bytes, as lookups require.
        Path f = write(T0,
                stat("fs.bcachefs.fstests.generic.001", 7),
                stat("fs.bcachefs.ec@upstream_stable-default@ktest_a=1@arch=x86_64.ec", 99),
                stat("fs.bcachefs.ec@upstream_stable-default@ktest_a=1.ec", 40),
                stat("boot@upstream_stable-kasan.boot", 0),
                stat("fs.slow.big", 5_000_000_000L));
        assertEquals(5, new DurationsTable(DurationsCodec.read(f)).size(), "the blob holds what we wrote");
        DurationCosts costs = new DurationCosts(f, DEF);
        costs.refresh();

        assertEquals(7, costs.cost("fs.bcachefs.fstests.generic.001"));
        assertEquals(99, costs.cost("fs.bcachefs.ec@upstream_stable-default@ktest_a=1@arch=x86_64.ec"),
                "an exact arch-specific entry wins over the arch-less one");
        assertEquals(40, costs.cost("fs.bcachefs.ec@upstream_stable-default@ktest_a=1@arch=aarch64.ec"),
                "no aarch64 entry: the same key without @arch=");
        assertEquals(7, costs.cost("fs.bcachefs.fstests@arch=aarch64.generic.001"),
                "the arch segment ends at the next '.', the subtest's dots stay");
        assertEquals(DEF, costs.cost("fs.bcachefs.fstests@arch=aarch64.generic.002"), "neither key: the default");
        assertEquals(DEF, costs.cost("fs.bcachefs.fstests.generic"), "no prefix matching");
        assertEquals(1, costs.cost("boot@upstream_stable-kasan.boot"), "a 0 s mean still costs 1");
        assertEquals(Integer.MAX_VALUE, costs.cost("fs.slow.big"), "clamped to an int");
    }

    @Test
    void withoutARefreshOrAFileEveryKeyCostsTheDefault() throws IOException {
        Path f = write(T0, stat("t.a", 5));
        DurationCosts costs = new DurationCosts(f, DEF);
        assertEquals(DEF, costs.cost("t.a"), "the file is read by refresh(), once per refill");

        DurationCosts missing = new DurationCosts(dir.resolve("absent.capnp"), 77);
        missing.refresh();
        assertEquals(77, missing.cost("t.a"));
        assertEquals(0, missing.version());
        assertEquals(3, DurationCosts.constant(3).cost("t.a"));
    }

    @Test
    void reReadsTheFileWhenItsMtimeChangesAndOnlyThen() throws IOException {
        Path f = write(T0, stat("t.a", 5));
        DurationCosts costs = new DurationCosts(f, DEF);
        costs.refresh();
        assertEquals(5, costs.cost("t.a"));
        long v1 = costs.version();

        // Rewritten with its old mtime: the mtime is the change signal, so the loaded table stays.
        write(T0, stat("t.a", 9));
        costs.refresh();
        assertEquals(5, costs.cost("t.a"));
        assertEquals(v1, costs.version(), "cached job matrices stay valid");

        Files.setLastModifiedTime(f, FileTime.fromMillis(T0 + 60_000));
        costs.refresh();
        assertEquals(9, costs.cost("t.a"));
        assertEquals(v1 + 1, costs.version(), "a new table means new costs in cached matrices");

        Files.delete(f);
        costs.refresh();
        assertEquals(DEF, costs.cost("t.a"), "a removed file means defaults again");
        assertEquals(v1 + 2, costs.version());
    }
}
