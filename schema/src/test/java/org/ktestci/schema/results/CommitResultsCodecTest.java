package org.ktestci.schema.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitResultsCodecTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void roundTripsEveryStatusAndSortsEntriesByByteOrder(@TempDir Path dir) throws IOException {
        CommitResults in = new CommitResults(SHA, "bcachefs: fix\n\nbody\n", List.of(
                new ResultEntry("z.last", Status.PASSED, 12, 1_700_000_000L),
                new ResultEntry("a.first", Status.FAILED, 31, 1_700_000_100L),
                new ResultEntry("m.\u00e9", Status.NOTRUN, 0, 0),
                new ResultEntry("m.z", Status.FAILED_TO_RUN, 0, 5),
                new ResultEntry("b.run", Status.INPROGRESS, 0, 7),
                new ResultEntry("c.odd", Status.UNKNOWN, 3, 8)));
        Path file = new OutputDir(dir).blob(SHA);
        CommitResultsCodec.writeAtomically(file, in);
        CommitResults out = CommitResultsCodec.read(file);
        assertEquals(SHA, out.commit());
        assertEquals("bcachefs: fix\n\nbody\n", out.message());
        assertEquals("bcachefs: fix", out.subject());
        assertEquals(List.of("a.first", "b.run", "c.odd", "m.z", "m.\u00e9", "z.last"),
                out.entries().stream().map(ResultEntry::name).toList());
        assertEquals(in.entries(), out.entries());
        assertEquals(Status.FAILED_TO_RUN, out.entry("m.z").orElseThrow().status());
        assertEquals(1_700_000_100L, out.entry("a.first").orElseThrow().starttime());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file is left behind");
        }
    }

    @Test
    void usesUnpackedStreamFramingWithOneSegment() {
        byte[] blob = CommitResultsCodec.encode(new CommitResults(SHA, "", List.of()));
        // Segment table: (segment count - 1) as little-endian uint32, then each segment's size in words.
        assertArrayEquals(new byte[] {0, 0, 0, 0}, Arrays.copyOf(blob, 4));
        int words = (blob[4] & 0xff) | (blob[5] & 0xff) << 8;
        assertEquals(blob.length, 8 + words * 8);
    }

    @Test
    void rejectsACorruptBlobWithAClearError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(SHA + ".capnp");
        Files.write(file, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> CommitResultsCodec.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void matchesShaPrefixesAgainstBlobsAndDirectories(@TempDir Path dir) throws IOException {
        OutputDir out = new OutputDir(dir);
        String other = "0123456789abcdef0123456789abcdef0123abcd";
        CommitResultsCodec.writeAtomically(out.blob(SHA), new CommitResults(SHA, "", List.of()));
        Files.createDirectories(out.commitDir(other));
        Files.createDirectories(dir.resolve("0123-not-a-sha"));
        assertEquals(2, out.matchPrefix("0123").size());
        assertEquals(List.of(other), List.copyOf(out.matchPrefix("0123456789abcdef0123456789abcdef0123a")));
        assertTrue(out.matchPrefix("zz").isEmpty());
        assertTrue(out.readResults(other).isEmpty());
        assertEquals(SHA, out.readResults(SHA).orElseThrow().commit());
    }
}
