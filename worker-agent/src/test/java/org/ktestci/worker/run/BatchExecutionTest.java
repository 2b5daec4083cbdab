package org.ktestci.worker.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch on a real slot: real git checkout, real bash test files, the resume loop. */
class BatchExecutionTest {
    @TempDir
    Path dir;

    String sha;
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final Map<String, byte[]> artifacts = Collections.synchronizedMap(new LinkedHashMap<>());

    @BeforeEach
    void repo() throws Exception {
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/file.c"), "int x;\n");
            git.add().addFilepattern("file.c").call();
            sha = git.commit().setMessage("c1").setSign(false).call().getName();
        }
    }

    private void test(String body) throws IOException {
        Path f = dir.resolve("ktest/tests/t.ktest");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private BatchFinished run(String... subtests) {
        List<RunBatch.BatchSubtest> subs = new ArrayList<>();
        for (String s : subtests) {
            subs.add(new RunBatch.BatchSubtest(s, "t." + s, 30));
        }
        RunBatch batch = new RunBatch("lease-1", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "t.ktest", "", Map.of(),
                "x86_64", subs, "t", 30, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), dir.resolve("ktest"), "host", 1 << 20, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1));
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
                events.add("started " + key + " " + it);
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
                events.add("finished " + key + " " + status + " " + it + " " + fullLogKey);
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
                artifacts.put(kind + " " + key + " " + it, brotli);
            }

            public void note(String line) {
            }
        };
        return new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"), new long[] {10, 10, 10, 10}), System.getenv())
                .execute();
    }

    private String text(String artifact) throws IOException {
        return new String(Brotli.decompress(artifacts.get(artifact)), StandardCharsets.UTF_8);
    }

    /**
     * ktest-out is shared read-write with the guest (ktest-interface.md §6.4 item 3): what a guest plants there
     * — symlinks out of the slot under the names that survive batches, a fifo, a name with control characters, a
     * 1 TiB sparse file — is removed without being followed, opened or read, at batch start and at the
     * zero-progress clean.
     */
    @Test
    void whatTheGuestPlantsInKtestOutNeverLeadsTheWorkerOutOfTheSlot() throws Exception {
        test("""
                case $1 in
                list-tests) echo "a" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) echo "no markers at all" ;;
                esac
                """);
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("precious"), "keep me\n");
        Path out = dir.resolve("work/slot-0/ktest-out");
        Files.createDirectories(out);
        Files.createSymbolicLink(out.resolve("kernel.escape"), outside);
        Files.createSymbolicLink(out.resolve("kernel_build.escape"), outside);
        Files.createSymbolicLink(out.resolve("link-to-precious"), outside.resolve("precious"));
        Files.createDirectories(out.resolve("nested"));
        Files.createSymbolicLink(out.resolve("nested/up"), outside);
        assertEquals(0, new ProcessBuilder("mkfifo", out.resolve("fifo").toString()).start().waitFor());
        Files.writeString(out.resolve("name-\u001b[31m\u0007"), "x");
        try (var f = new RandomAccessFile(out.resolve("huge-sparse").toFile(), "rw")) {
            f.setLength(1L << 40);
        }
        BatchFinished r = run("a"); // no marker twice: the zero-progress clean runs too
        assertEquals(LeaseEndReason.ZERO_PROGRESS, r.reason());
        assertEquals("keep me\n", Files.readString(outside.resolve("precious")));
        try (var s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing deleted or written outside the slot");
        }
        try (var s = Files.list(out)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "all gone, the symlinks themselves included");
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dir.resolve("work/slot-0"))), "only the worker reaches the slot");
    }

    @Test
    void resumesUnreachedSubtestsInAFreshRunAfterACrash() throws Exception {
        test("""
                case $1 in
                list-tests) echo "a b c" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift
                    for t in "$@"; do
                        echo "========= TEST   $t"
                        [ -f "$ktest_deps_dir/linux/file.c" ] || echo "checkout missing"
                        if [ "$t" = b ] && [ ! -e "$ktest_out/crashed" ]; then touch "$ktest_out/crashed"; kill -9 $$; fi
                        echo "========= PASSED $t in 0s"
                    done ;;
                esac
                """);
        BatchFinished r = run("a", "b", "c");
        assertEquals(BatchOutcome.COMPLETED, r.outcome());
        assertEquals(List.of(
                "started t.a 1", "finished t.a PASSED 1 t.a",
                "started t.b 1", "finished t.b FAILED 1 t.a",
                "started t.c 2", "finished t.c PASSED 2 t.c"), events,
                "b died with its VM (pessimistic TEST FAILED); only c, never reached, ran again");
        assertEquals(2, r.iterations().size());
        String full1 = text("full_log t.a 1");
        assertTrue(full1.startsWith("# host=h1 slot=0 commit=" + sha + " kernel= test=t.ktest env= subtests=a,b,c "
                + "arch=x86_64 lease=lease-1 epoch=1 iteration=1 runner=host\n# ---- agent log ----\n"), full1);
        assertTrue(full1.contains("# ---- console ----\n"), full1);
        assertTrue(full1.matches("(?s).*# ---- end: reason=\\S+ exit=\\S+ seconds=\\d+ ----\n"), full1);
        assertTrue(!full1.contains("checkout missing"), "the commit is checked out in the slot");
        assertTrue(text("full_log t.c 2").contains("subtests=c "), "iteration 2 ran only c");
        assertTrue(text("log t.a 1").contains("========= PASSED a in 0s"));
    }

    @Test
    void zeroProgressCleansOnceThenGivesUp() throws Exception {
        test("""
                case $1 in
                list-tests) echo "a" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) echo "booting... then nothing" ;;
                esac
                """);
        Files.createDirectories(dir.resolve("work/slot-0/ktest-out"));
        BatchFinished r = run("a");
        assertEquals(BatchOutcome.INFRA_FAILURE, r.outcome());
        assertEquals(LeaseEndReason.ZERO_PROGRESS, r.reason());
        assertEquals(2, r.iterations().size(), "one clean-and-retry before giving up");
        assertEquals(List.of(new BatchFinished.Unreached("t.a", LeaseEndReason.ZERO_PROGRESS)), r.unreached());
    }

    @Test
    void subtestsMissingFromTheListingAreNotRun() throws Exception {
        test("""
                case $1 in
                list-tests) echo "a" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift; for t in "$@"; do echo "========= TEST   $t"; echo "========= PASSED $t in 0s"; done ;;
                esac
                """);
        BatchFinished r = run("a", "gone");
        assertEquals(BatchOutcome.COMPLETED, r.outcome());
        assertEquals(List.of(new BatchFinished.Unreached("t.gone", LeaseEndReason.SUBTEST_NOT_FOUND)), r.unreached());
        assertEquals(List.of("started t.a 1", "finished t.a PASSED 1 t.a"), events);
    }

    @Test
    void failingDepsAndForeignArchEndTheBatchWithoutRunning() throws Exception {
        test("""
                case $1 in
                list-tests) echo "a" ;;
                deps) echo "no toolchain" >&2; exit 3 ;;
                esac
                """);
        BatchFinished deps = run("a");
        assertEquals(LeaseEndReason.DEPS_FAILED, deps.reason());
        test("""
                case $1 in
                list-tests) echo "a" ;;
                deps) echo "ktest_arch=arm64" ;;
                esac
                """);
        BatchFinished arch = run("a");
        assertEquals(BatchOutcome.ARCH_MISMATCH, arch.outcome());
        assertEquals("aarch64", arch.declaredArch());
        assertTrue(events.isEmpty());
    }

    @Test
    void anUnfetchableCommitIsACheckoutFailure() throws Exception {
        test("case $1 in list-tests) echo a ;; deps) echo ktest_no_vm=1 ;; esac\n");
        sha = "0123456789abcdef0123456789abcdef01234567";
        BatchFinished r = run("a");
        assertEquals(BatchOutcome.INFRA_FAILURE, r.outcome());
        assertEquals(LeaseEndReason.CHECKOUT_FAILED, r.reason());
    }

    @Test
    void aTestGroupCanChooseItsRunnerThroughItsEnv() {
        assertEquals("qemu", BatchExecution.runnerFor(Map.of("ktest_runner", "qemu"), "ktest"));
        assertEquals("ktest", BatchExecution.runnerFor(Map.of("ktest_runner", "docker"), "ktest"));
        assertEquals("host", BatchExecution.runnerFor(Map.of(), "host"));
    }

    @Test
    void parsesDepsDeclarations() {
        Deps d = Deps.parse("ktest_no_vm=1\nktest_scratch_dev_sizes=(1G \"2G\")\nktest_arch='amd64'\njunk line\n"
                + "ktest_timeout=90\n");
        assertTrue(d.flag("ktest_no_vm"));
        assertEquals(List.of("1G", "2G"), d.values().get("ktest_scratch_dev_sizes"));
        assertEquals("x86_64", d.arch().orElseThrow());
        assertEquals(90L, d.timeoutSeconds().orElseThrow());
    }
}
