package org.ktestci.bench;

import org.eclipse.jgit.api.Git;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.RunBatch;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.qemu.QemuSettings;
import org.ktestci.worker.qemu.RootImageBuilder;
import org.ktestci.worker.run.BatchExecution;
import org.ktestci.worker.run.SlotSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Real VMs under the {@code qemu} runner (ktest-interface.md §6.3/§6.4), timed as a worker runs them:
 * boot to the first marker with the busybox initramfs and with a root image, and a 6-subtest batch on ktest's
 * {@code test-libs.sh} with a kernel panic in the middle. With {@code --build-image} it first times
 * {@code build-root-image} and reports the image's size.
 *
 * <pre>bench/run vm KERNEL ROOT_IMAGE KTEST_DIR [runs] [--build-image]</pre>
 */
public final class VmBench {
    /** A busybox-friendly test: one subtest, no ktest libraries. */
    private static final String PLAIN = """
            #!/bin/bash
            case $1 in
                list-tests) echo one ;;
                deps) echo ktest_mem=512; echo ktest_cpus=1 ;;
                run-tests) echo "========= TEST   one"; echo "========= PASSED one in 0s" ;;
            esac
            """;
    /** On ktest's real test-libs.sh: what the root image exists for. */
    private static final String KTEST_LIBS = """
            #!/usr/bin/env bash
            . "$(dirname "$(readlink -e "${BASH_SOURCE[0]}")")/test-libs.sh"
            config-mem 512M
            config-cpus 1
            config-timeout 60
            test_a() { true; }
            test_b() { true; }
            test_c_panic() { echo c > /proc/sysrq-trigger; }
            test_d() { true; }
            test_e() { true; }
            test_f() { true; }
            main "$@"
            """;

    private VmBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: bench/run vm KERNEL ROOT_IMAGE KTEST_DIR [runs] [--build-image]");
            System.exit(2);
        }
        Path kernel = Path.of(args[0]);
        Path image = Path.of(args[1]);
        Path ktestSrc = Path.of(args[2]);
        int runs = args.length > 3 && !args[3].startsWith("--") ? Integer.parseInt(args[3]) : 3;
        Path dir = TempDirs.create("ktest-ci-vm-bench-");
        if (List.of(args).contains("--build-image")) {
            long t0 = System.nanoTime();
            Path built = new RootImageBuilder(System.err).build(new RootImageBuilder.Request(dir.resolve("root.img"),
                    "x86_64", RootImageBuilder.hostSuite(), Optional.empty(), List.of(),
                    RootImageBuilder.DEFAULT_SIZE_MIB));
            System.out.printf(Locale.ROOT, "%-58s %10.1f s, %d MiB on disk, %d MiB apparent%n",
                    "build-root-image (default packages)", (System.nanoTime() - t0) / 1e9,
                    du(built) >> 20, Files.size(built) >> 20);
            image = built;
        }
        Path ktest = dir.resolve("ktest");
        copy(ktestSrc, ktest);
        write(ktest.resolve("tests/bench-plain.ktest"), PLAIN);
        write(ktest.resolve("tests/bench-libs.ktest"), KTEST_LIBS);
        String sha = upstream(dir);

        Figures busybox = new Figures();
        Figures rooted = new Figures();
        for (int i = 0; i < runs; i++) {
            busybox.add(run(dir, ktest, sha, kernel, Optional.empty(), "bench-plain.ktest",
                    List.of("one")).firstMarker);
            rooted.add(run(dir, ktest, sha, kernel, Optional.of(image), "bench-plain.ktest",
                    List.of("one")).firstMarker);
        }
        System.out.println(busybox.line("qemu start -> first marker, busybox initramfs (TCG)", "s"));
        System.out.println(rooted.line("qemu start -> first marker, root image (TCG)", "s"));
        Figures batch = new Figures();
        int vms = 0;
        for (int i = 0; i < runs; i++) {
            Run r = run(dir, ktest, sha, kernel, Optional.of(image), "bench-libs.ktest",
                    List.of("a", "b", "c_panic", "d", "e", "f"));
            batch.add(r.seconds);
            vms = r.iterations;
        }
        System.out.println(batch.line("6-subtest batch on test-libs.sh, panic 3rd (" + vms + " VMs)", "s"));
    }

    private record Run(double firstMarker, double seconds, int iterations) {
    }

    private static Run run(Path dir, Path ktest, String sha, Path kernel, Optional<Path> image, String test,
                           List<String> subtests) {
        String base = test.replace(".ktest", "");
        List<RunBatch.BatchSubtest> subs = subtests.stream()
                .map(n -> new RunBatch.BatchSubtest(n, base + "." + n, 10)).toList();
        RunBatch batch = new RunBatch("bench", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", test, "", Map.of(),
                "x86_64", subs, base, 1200, null);
        SlotSettings slot = new SlotSettings("bench", 0, dir.resolve("work"), ktest, "qemu", 64 << 20, 0,
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5));
        QemuSettings q = new QemuSettings(dir.resolve("store"), "qemu-system-x86_64", Path.of("/bin/busybox"),
                Path.of("/bin/bash"), Optional.of(kernel), "x86_64", image, dir.resolve("none"),
                dir.resolve("work/module-index"));
        long[] qemuStart = {0};
        double[] first = {-1};
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
                if (first[0] < 0) {
                    first[0] = (at - qemuStart[0]) / 1000.0;
                }
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
            }

            public void runInfo(int it, String info) {
                qemuStart[0] = System.currentTimeMillis(); // sent right before the runner starts
            }

            public void note(String line) {
            }
        };
        long t0 = System.nanoTime();
        BatchFinished f = new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work")),
                Map.of("PATH", System.getenv("PATH"), "KTEST_CI_QEMU_ACCEL", "tcg"), Optional.of(q)).execute();
        if (!f.outcome().equals(BatchOutcome.COMPLETED)) {
            throw new IllegalStateException("batch did not complete: " + f);
        }
        return new Run(first[0], (System.nanoTime() - t0) / 1e9, f.iterations().size());
    }

    private static String upstream(Path dir) throws Exception {
        Path up = dir.resolve("upstream");
        try (Git git = Git.init().setInitialBranch("main").setDirectory(up.toFile()).call()) {
            Files.writeString(up.resolve("README"), "x\n");
            git.add().addFilepattern("README").call();
            return git.commit().setMessage("c").setSign(false).call().getName();
        }
    }

    private static void write(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void copy(Path from, Path to) throws Exception {
        Process p = new ProcessBuilder("cp", "-r", from.toString(), to.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("cp -r " + from + " failed");
        }
        new ProcessBuilder("chmod", "-R", "u+w", to.toString()).inheritIO().start().waitFor();
    }

    private static long du(Path f) throws Exception {
        Process p = new ProcessBuilder("du", "-k", f.toString()).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out.split("\\s+")[0]) << 10;
    }
}
