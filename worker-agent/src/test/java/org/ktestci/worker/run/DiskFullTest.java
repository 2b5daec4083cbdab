package org.ktestci.worker.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * worker.min_free_disk_gib: a slot whose workspace has less free space ends the batch as an infrastructure failure
 * ({@code disk_full}, counted against the host) before checking anything out or running a test.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    private BatchFinished run(long minFreeBytes, List<String> events) throws Exception {
        String sha;
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/file.c"), "int x;\n");
            git.add().addFilepattern("file.c").call();
            sha = git.commit().setMessage("c1").setSign(false).call().getName();
        }
        Path test = Files.createDirectories(dir.resolve("ktest/tests")).resolve("t.ktest");
        Files.writeString(test, "#!/usr/bin/env bash\ntouch '" + dir.resolve("ran") + "'\n"
                + "case $1 in list-tests) echo a ;; deps) echo ktest_no_vm=1 ;; run-tests) "
                + "echo '========= TEST   a'; echo '========= PASSED a in 0s' ;; esac\n");
        Files.setPosixFilePermissions(test, PosixFilePermissions.fromString("rwxr-xr-x"));
        RunBatch batch = new RunBatch("lease-1", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "t.ktest", "", Map.of(),
                "x86_64", List.of(new RunBatch.BatchSubtest("a", "t.a", 30)), "t", 30, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), dir.resolve("ktest"), "host", 1 << 20,
                minFreeBytes, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1));
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
                events.add("started " + key);
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
                events.add("finished " + key + " " + status);
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
            }

            public void note(String line) {
            }
        };
        return new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"),
                new long[] {10, 10, 10, 10}), System.getenv()).execute();
    }

    @Test
    void aWorkspaceShortOfFreeSpaceEndsTheBatchAsDiskFullWithoutRunningIt() throws Exception {
        List<String> events = new ArrayList<>();
        long free = Files.getFileStore(dir).getUsableSpace();
        BatchFinished r = run(free + (1L << 40), events);
        assertEquals(BatchOutcome.INFRA_FAILURE, r.outcome());
        assertEquals(LeaseEndReason.DISK_FULL, r.reason());
        assertEquals(List.of(), events);
        assertFalse(Files.exists(dir.resolve("ran")), "the test file never ran");
        assertFalse(Files.exists(dir.resolve("work/slot-0/linux")), "nothing was checked out");
        String log = Files.readString(dir.resolve("work/slot-0/agent.log"));
        assertTrue(log.contains("bytes free in the workspace"), log);
    }

    @Test
    void enoughFreeSpaceRunsTheBatch() throws Exception {
        List<String> events = new ArrayList<>();
        BatchFinished r = run(1, events);
        assertEquals(BatchOutcome.COMPLETED, r.outcome(), r.reason().wireName());
        assertEquals(List.of("started t.a", "finished t.a PASSED"), events);
    }
}
