package org.ktestci.worker.agent;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.run.BatchExecution;
import org.ktestci.worker.run.SlotSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reproductions of issue 12's batch holes on a real slot runner: a {@code repo} that escapes the slot, a kernel
 * path outside {@code kernel_paths}, and a forged epoch stored before the batch was validated.
 */
class HostileBatchTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path dir;

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private String upstream() throws Exception {
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/payload"), "attacker's file\n");
            git.add().addFilepattern("payload").call();
            return git.commit().setMessage("c1").setSign(false).call().getName();
        }
    }

    private void testFile() throws Exception {
        Path f = dir.resolve("ktest/tests/t.ktest");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "#!/usr/bin/env bash\ncase $1 in list-tests) echo a ;; deps) echo ktest_no_vm=1 ;;"
                + " run-tests) echo '========= TEST   a'; echo '========= PASSED a in 0s' ;; esac\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private RunBatch batch(String lease, long epoch, String repo, String sha, String kernel,
                           ActorRef<ExecutorMessage> executor) {
        return new RunBatch(lease, epoch, 0, 1, repo, sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "t.ktest", kernel,
                Map.of(), "x86_64", List.of(new RunBatch.BatchSubtest("a", "t.a", 30)), "t", 30, executor);
    }

    private BatchValidator validator() {
        return new BatchValidator(dir.resolve("ktest"));
    }

    @Test
    void aRepoThatEscapesTheSlotIsRefusedAndNothingIsCheckedOutOutsideIt() throws Exception {
        String sha = upstream();
        testFile();
        Path victim = dir.resolve("victim");
        Files.createDirectories(victim);
        Files.writeString(victim.resolve("precious"), "keep me\n");
        Path work = dir.resolve("work");
        SlotSettings slot = new SlotSettings("h1", 0, work, dir.resolve("ktest"), "host", 1 << 20, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1));
        WorkspaceCheckout checkout = new WorkspaceCheckout(work, new long[] {10, 10, 10, 10});
        BatchRun.Factory real = (b, sink) -> new BatchExecution(b, sink, slot, checkout, System.getenv(),
                Optional.empty());
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> runner = KIT.spawn(SlotRunner.create(0, real, validator(),
                Duration.ofSeconds(30)));
        // slot-0/../../victim is the victim directory; mirrors/../../victim.git is next to it.
        runner.tell(SlotRunnerTest.in(batch("L1", 1, "../../victim", sha, "", executor.ref())));
        ExecutorMessage first = executor.receiveMessage(Duration.ofSeconds(20));
        assertTrue(first instanceof BatchRefused r && r.reason() == RefusalReason.BAD_BATCH, first.toString());
        executor.expectNoMessage(Duration.ofSeconds(1));
        assertFalse(Files.exists(victim.resolve(".git")), "no checkout in the victim directory");
        assertFalse(Files.exists(victim.resolve("payload")));
        assertFalse(Files.exists(dir.resolve("victim.git")), "no mirror outside the workspace");
        assertEquals("keep me\n", Files.readString(victim.resolve("precious")));
    }

    @Test
    void anAbsoluteKernelPathOutsideKernelPathsIsNeverBooted() throws Exception {
        String sha = upstream();
        testFile();
        AtomicInteger runs = new AtomicInteger();
        BatchRun.Factory counting = WorkerAgentTrustTest.counting(runs);
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> runner = KIT.spawn(SlotRunner.create(0, counting, validator(),
                Duration.ofSeconds(30)));
        Path image = dir.resolve("elsewhere/vmlinuz");
        Files.createDirectories(image.getParent());
        Files.writeString(image, "not a kernel from kernel_paths");
        runner.tell(SlotRunnerTest.in(batch("L2", 1, "linux", sha, image.toString(), executor.ref())));
        ExecutorMessage reply = executor.receiveMessage(Duration.ofSeconds(5));
        if (reply instanceof BatchAccepted) {
            BatchFinished done = executor.expectMessageClass(BatchFinished.class, Duration.ofSeconds(5));
            assertEquals(BatchOutcome.INFRA_FAILURE, done.outcome());
            assertEquals(LeaseEndReason.NO_KERNEL, done.reason());
            assertEquals(LeaseEndReason.NO_KERNEL, done.unreached().get(0).reason());
        } else {
            assertTrue(reply instanceof BatchRefused, reply.toString());
        }
        assertEquals(0, runs.get(), "the batch never ran");
    }

    @Test
    void anAbsoluteKernelUnderKernelPathsAndTheWorkersOwnKernelRun() throws Exception {
        String sha = upstream();
        testFile();
        Path allowed = dir.resolve("kernels/vmlinuz");
        Path own = dir.resolve("own/vmlinuz");
        for (Path p : List.of(allowed, own)) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, "kernel");
        }
        BatchValidator validator = new BatchValidator(dir.resolve("ktest"), Optional.of("x86_64"),
                new KernelPolicy(dir.resolve("store"), List.of(dir.resolve("kernels")), Optional.of(own)));
        AtomicInteger runs = new AtomicInteger();
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> runner = KIT.spawn(SlotRunner.create(0, WorkerAgentTrustTest.counting(runs),
                validator, Duration.ofSeconds(30)));
        runner.tell(SlotRunnerTest.in(batch("K1", 1, "linux", sha, allowed.toString(), executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        assertEquals(BatchOutcome.COMPLETED, executor.expectMessageClass(BatchFinished.class).outcome());
        runner.tell(SlotRunnerTest.in(batch("K2", 2, "linux", sha, own.toString(), executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        assertEquals(BatchOutcome.COMPLETED, executor.expectMessageClass(BatchFinished.class).outcome());
        // A symlink under kernel_paths that leads out of them is refused like any other outside path.
        Path link = dir.resolve("kernels/escape");
        Files.createSymbolicLink(link, dir.resolve("ktest/tests/t.ktest"));
        runner.tell(SlotRunnerTest.in(batch("K3", 3, "linux", sha, link.toString(), executor.ref())));
        executor.expectMessageClass(BatchAccepted.class);
        assertEquals(LeaseEndReason.NO_KERNEL, executor.expectMessageClass(BatchFinished.class).reason());
        assertEquals(2, runs.get());
    }

    @Test
    void aForgedBatchWithTheHighestEpochDoesNotLockTheSlot() throws Exception {
        String sha = upstream();
        testFile();
        AtomicInteger runs = new AtomicInteger();
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        ActorRef<SlotRunner.Command> runner = KIT.spawn(SlotRunner.create(0, WorkerAgentTrustTest.counting(runs),
                validator(), Duration.ofSeconds(30)));
        runner.tell(SlotRunnerTest.in(batch("forged", Long.MAX_VALUE, "../x", sha, "", executor.ref())));
        assertTrue(executor.receiveMessage() instanceof BatchRefused);
        runner.tell(SlotRunnerTest.in(batch("honest", 5, "linux", sha, "", executor.ref())));
        BatchAccepted accepted = executor.expectMessageClass(BatchAccepted.class);
        assertEquals("honest", accepted.leaseId());
    }
}
