package org.ktestci.worker.vm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the real-VM tests need from the machine, found or refused in one place: a Debian kernel unpacked with its
 * modules ({@code KTEST_CI_TEST_KERNEL}, a {@code boot/vmlinuz-*} of a {@code dpkg-deb -x} tree), a root image
 * ({@code KTEST_CI_TEST_ROOT_IMAGE}, built by {@code ktest-ci worker build-root-image} in {@code .ci/run}), qemu,
 * busybox, and ktest itself ({@code ../shared/ktest} beside the repository, or {@code KTEST_CI_KTEST_DIR}).
 * Absent, a test is skipped; under {@code CI} it fails instead.
 */
public final class VmTestEnvironment {
    /**
     * A test file whose subtests end every way a subtest in a VM can: pass, fail, skip, panic the kernel (the
     * rest resume in a fresh VM) and hang past a WATCHDOG.
     */
    public static final String EVERY_OUTCOME_TEST = """
            #!/bin/bash
            case $1 in
                list-tests) echo "pass fail skip panic after hang" ;;
                deps) echo "ktest_mem=512"; echo "ktest_cpus=1" ;;
                run-tests) shift
                    for t in "$@"; do
                        echo "========= TEST   $t"
                        case $t in
                            pass|after) echo "========= PASSED $t in 0s" ;;
                            fail) echo "========= FAILED $t in 0s" ;;
                            skip) echo "========= NOTRUN $t in 0s: no such device" ;;
                            panic) echo c > /proc/sysrq-trigger; sleep 60 ;;
                            hang) echo "WATCHDOG 3"; sleep 600 ;;
                        esac
                    done ;;
            esac
            """;

    private VmTestEnvironment() {
    }

    /** Skips the test (or fails it under CI) unless the condition holds. */
    public static void require(boolean have, String what) {
        if (!have && System.getenv("CI") != null) {
            fail("CI must provide " + what);
        }
        Assumptions.assumeTrue(have, "not here: " + what);
    }

    public static Path kernel() {
        String k = System.getenv("KTEST_CI_TEST_KERNEL");
        boolean have = k != null && Files.isRegularFile(Path.of(k));
        require(have, "KTEST_CI_TEST_KERNEL (a Debian vmlinuz unpacked with dpkg-deb -x, lib/modules beside boot/)");
        return Path.of(k);
    }

    public static Path rootImage() {
        String r = System.getenv("KTEST_CI_TEST_ROOT_IMAGE");
        require(r != null && Files.isRegularFile(Path.of(r)),
                "KTEST_CI_TEST_ROOT_IMAGE (an image from 'ktest-ci worker build-root-image')");
        return Path.of(r);
    }

    public static void qemu() {
        require(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")) && Files.isExecutable(Path.of("/bin/busybox")),
                "qemu-system-x86 and busybox-static");
    }

    /** ktest's pinned tree, read-only; tests copy it before running anything beside it. */
    public static Path ktestTree() {
        Optional<Path> found = Optional.ofNullable(System.getenv("KTEST_CI_KTEST_DIR")).map(Path::of);
        if (found.isEmpty()) {
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path candidate = d.resolve("shared/ktest");
                if (Files.isRegularFile(candidate.resolve("tests/prelude.sh"))) {
                    found = Optional.of(candidate);
                    break;
                }
            }
        }
        require(found.isPresent() && Files.isRegularFile(found.get().resolve("tests/prelude.sh")),
                "ktest's tree at ../shared/ktest beside the repository (or KTEST_CI_KTEST_DIR)");
        return found.get();
    }

    /** A writable copy of ktest's tree (the original stays read-only), with extra test files added by the caller. */
    public static Path copyOfKtest(Path into) throws IOException {
        Path src = ktestTree();
        Path dst = into.resolve("ktest");
        for (String part : new String[] {"tests", "lib", "ktest", "build-test-kernel"}) {
            copy(src.resolve(part), dst.resolve(part));
        }
        return dst;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.createDirectories(d.getParent());
                    Files.copy(p, d);
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(
                            Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }
}
