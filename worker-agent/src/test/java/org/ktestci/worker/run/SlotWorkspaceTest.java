package org.ktestci.worker.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotWorkspaceTest {
    @TempDir
    Path tmp;

    @Test
    void onlyTheWorkerMayEnterTheSlot() throws Exception {
        Path dir = tmp.resolve("slot-0");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        SlotWorkspace.open(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aNewBatchKeepsKernelBuildsAndStartsWithEmptyResults() throws Exception {
        SlotWorkspace w = SlotWorkspace.open(tmp.resolve("slot-0"));
        Files.createDirectories(w.ktestOut().resolve("kernel_build.x86_64"));
        Files.writeString(w.ktestOut().resolve("kernel.x86_64"), "bzImage");
        Files.createDirectories(w.ktestOut().resolve("planted").resolve("deep"));
        Files.createDirectories(w.results().resolve("t.old"));
        w.prepareBatch();
        assertTrue(Files.isDirectory(w.ktestOut().resolve("kernel_build.x86_64")));
        assertTrue(Files.exists(w.ktestOut().resolve("kernel.x86_64")));
        assertFalse(Files.exists(w.ktestOut().resolve("planted")));
        assertTrue(Files.isDirectory(w.results()));
        try (var left = Files.list(w.results())) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void eachIterationGetsFreshTmpDirsWhichGoAfterIt() throws Exception {
        SlotWorkspace w = SlotWorkspace.open(tmp.resolve("slot-0"));
        w.prepareIteration();
        Files.writeString(w.ktestTmp().resolve("initramfs"), "x");
        w.prepareIteration();
        assertFalse(Files.exists(w.ktestTmp().resolve("initramfs")));
        assertTrue(Files.isDirectory(w.dir().resolve("host-run")));
        w.dropIterationFiles();
        assertFalse(Files.exists(w.ktestTmp()));
    }

    @Test
    void theRetryAfterZeroProgressCleansTheCheckoutAndDropsKernelBuilds() throws Exception {
        SlotWorkspace w = SlotWorkspace.open(tmp.resolve("slot-0"));
        Path repo = w.dir().resolve("linux");
        Git.init().setDirectory(repo.toFile()).call().close();
        Files.writeString(repo.resolve("stale.o"), "x");
        Files.createDirectories(w.ktestOut().resolve("kernel_build.x86_64"));
        Files.writeString(w.ktestOut().resolve("kernel.x86_64"), "bzImage");
        Files.writeString(w.ktestOut().resolve("other"), "kept");
        w.cleanForRetry(repo);
        assertFalse(Files.exists(repo.resolve("stale.o")));
        assertFalse(Files.exists(w.ktestOut().resolve("kernel_build.x86_64")));
        assertFalse(Files.exists(w.ktestOut().resolve("kernel.x86_64")));
        assertTrue(Files.exists(w.ktestOut().resolve("other")));
    }
}
