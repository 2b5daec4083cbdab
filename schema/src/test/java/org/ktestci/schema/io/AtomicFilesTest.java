package org.ktestci.schema.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AtomicFilesTest {
    @Test
    void replacesContentAndLeavesNoTempFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a/status");
        AtomicFiles.writeString(f, "IN PROGRESS\n");
        AtomicFiles.writeString(f, "========= PASSED x in 1s\n");
        assertEquals("========= PASSED x in 1s\n", Files.readString(f));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void replacesASymlinkAtomicallyKeepingItRelative(@TempDir Path dir) throws IOException {
        Path link = dir.resolve("k2/full_log.br");
        AtomicFiles.symlink(link, Paths.get("..", "k1", "full_log.br"));
        AtomicFiles.symlink(link, Paths.get("..", "k0", "full_log.br"));
        assertEquals(Paths.get("..", "k0", "full_log.br"), Files.readSymbolicLink(link));
    }
}
