package org.ktestci.worker.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.IterationOutcome;
import org.ktestci.worker.console.ConsoleRecorder;
import org.ktestci.worker.console.ConsoleSupervisor;
import org.ktestci.worker.console.RunOutcome;
import org.ktestci.worker.console.SupervisorSettings;
import org.ktestci.worker.qemu.KernelStore;
import org.ktestci.worker.vm.VmTestEnvironment;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ktest} runner's contract (ktest-interface.md §6.1) against ktest's real, unmodified CLI, up to the
 * start of QEMU: {@code <ktest_dir>/ktest run -k <kernel> -T <slot>/ktest-tmp <test> <subtests>} from the slot,
 * run as an unprivileged user, with the environment of §6. ktest resolves {@code -k debian/bookworm} in the layout
 * {@code import-kernel} writes, does not re-exec itself under its own supervisor ({@code KTEST_SUPERVISOR=1}), and
 * starts qemu — here a PATH stand-in that records what it was given, because this machine has no usable KVM and
 * no Rust virtiofsd (see docs/operations.md for what a farm host needs).
 */
class KtestCliContractTest {
    static final String QEMU = """
            #!/bin/bash
            printf '%s\\n' "$@" > "$HOME/qemu-argv"
            env > "$HOME/qemu-env"
            pwd > "$HOME/qemu-cwd"
            echo "qemu stand-in: $# arguments"
            """;
    /** ktest starts virtiofsd and waits for its socket before qemu. */
    static final String VIRTIOFSD = """
            #!/bin/bash
            for a in "$@"; do case $a in --socket-path=*) sock=${a#--socket-path=};; esac; done
            printf '%s\\n' "$@" > "$HOME/virtiofsd-argv"
            exec socat UNIX-LISTEN:"$sock",fork /dev/null
            """;

    @TempDir
    Path dir;

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void ktestsOwnCliTakesOurArgumentsUpToTheStartOfQemu() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        VmTestEnvironment.require(Files.isExecutable(Path.of("/usr/bin/socat")), "socat (ktest's CLI checks for it)");
        VmTestEnvironment.require(!root || Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv (util-linux), to run ktest unprivileged from a root test");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ktest = VmTestEnvironment.copyOfKtest(dir);
        // ktest's lib/common.sh sources cross.conf, which its repository ignores: every host writes its own.
        Files.writeString(ktest.resolve("cross.conf"), "ARCH_TRIPLE_X86=i686-linux-gnu\n"
                + "ARCH_TRIPLE_X86_64=x86_64-linux-gnu\nARCH_TRIPLE_ARM64=aarch64-linux-gnu\n");
        Path home = dir.resolve("home");
        Path entry = home.resolve(".ktest/kernels/debian/bookworm")
                .resolve(KernelStore.storeArch("debian/bookworm", "x86_64")).resolve("6.1.0-57-amd64");
        Files.createDirectories(entry.resolve("lib/modules/6.1.0-57-amd64"));
        Files.writeString(entry.resolve("vmlinuz"), "a kernel image");
        try (var f = new RandomAccessFile(home.resolve(".ktest/root.amd64").toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        Path shims = dir.resolve("shims");
        Files.createDirectories(shims);
        executable(shims.resolve("qemu-system-x86_64"), QEMU);
        executable(shims.resolve("virtiofsd"), VIRTIOFSD);
        Path slot = dir.resolve("work/slot-0");
        Files.createDirectories(slot.resolve("results/success.success"));
        Files.writeString(slot.resolve("results/success.success/status"), "IN PROGRESS\n");
        chownTree(dir, root);

        Map<String, String> agentEnv = Map.of("PATH", shims + ":/usr/bin:/bin", "HOME", home.toString(),
                "ktest_leaked_from_the_agent", "1");
        RunnerCommand cmd = RunnerCommand.ktest(ktest, "success.ktest", "debian/bookworm", List.of("success"), slot,
                "linux", Map.of("ktest_group_setting", "on"), agentEnv);
        assertEquals(List.of(ktest + "/ktest", "run", "-k", "debian/bookworm", "-T", slot + "/ktest-tmp",
                ktest + "/tests/success.ktest", "success"), cmd.argv(), "ktest-interface.md §6.1, all paths absolute");
        assertEquals(slot, cmd.cwd(), "ktest's output dir is <slot>/ktest-out");

        ConsoleRecorder console = new ConsoleRecorder();
        RunOutcome outcome = supervise(unprivileged(cmd.argv(), root), cmd, slot, console);
        String out = console.text();
        assertTrue(Files.exists(home.resolve("qemu-argv")), "ktest reached the start of qemu: " + out);
        List<String> qemu = Files.readAllLines(home.resolve("qemu-argv"));
        assertEquals(entry.resolve("vmlinuz").toString(), qemu.get(qemu.indexOf("-kernel") + 1),
                "ktest found the kernel where import-kernel writes it");
        assertTrue(qemu.contains("if=none,format=raw,id=disk0,file=" + home.resolve(".ktest/root.amd64")
                + ",snapshot=on"), "its root image, never changed by a run: " + qemu);
        assertEquals("512,slots=8,maxmem=" + qemu.get(qemu.indexOf("-m") + 1).split("maxmem=")[1],
                qemu.get(qemu.indexOf("-m") + 1), "config-mem 512M");
        String append = qemu.get(qemu.indexOf("-append") + 1);
        assertTrue(append.contains("ktest.env=" + slot.resolve("ktest-tmp/env")), "-T is the VM's working dir: "
                + append);
        assertTrue(qemu.contains("unix:" + slot.resolve("ktest-out/vm/mon") + ",server,nowait"),
                "the monitor socket our supervisor relays QEMU_MONITOR to (ktest-out/vm -> ktest-tmp): " + qemu);
        assertEquals(slot.resolve("ktest-tmp").toString(),
                Files.readSymbolicLink(slot.resolve("ktest-out/vm")).toString());
        String env = Files.readString(home.resolve("qemu-env"));
        assertTrue(env.contains("KTEST_SUPERVISOR=1\n"), env);
        assertTrue(env.contains("ktest_deps_dir=" + slot + "\n"), env);
        String saved = Files.readString(slot.resolve("ktest-tmp/env"));
        assertTrue(saved.contains("ktest_group_setting=on"), "the group's env pairs reach ktest: " + saved);
        assertFalse(saved.contains("ktest_leaked_from_the_agent"), "inherited ktest_* variables are removed");
        assertFalse(Files.exists(ktest.resolve("lib/supervisor")),
                "with KTEST_SUPERVISOR=1 ktest does not build and re-exec its own supervisor");
        assertTrue(out.contains("Running test success.ktest"), out);
        assertEquals(IterationOutcome.CHILD_EXIT, outcome.reason(), "the stand-in printed no markers: " + out);

        if (root) {
            ConsoleRecorder asRoot = new ConsoleRecorder();
            supervise(cmd.argv(), cmd, slot, asRoot);
            assertTrue(asRoot.text().contains("refusing to start qemu as root"),
                    "ktest refuses root: a farm's worker runs as its own user. " + asRoot.text());
        }
    }

    private static RunOutcome supervise(List<String> argv, RunnerCommand cmd, Path slot, ConsoleRecorder console)
            throws Exception {
        return new ConsoleSupervisor(argv, cmd.env(), cmd.cwd(),
                List.of(new ConsoleSupervisor.Subtest("success", "success.success")), "success",
                slot.resolve("results"), 1, new SupervisorSettings(Duration.ofSeconds(120), 1 << 20,
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5), false,
                Optional.of(slot.resolve("ktest-tmp/mon"))), console).run();
    }

    /** ktest refuses to start qemu as root; from a root test the run drops to nobody, as a farm's worker user. */
    private static List<String> unprivileged(List<String> argv, boolean root) {
        if (!root) {
            return argv;
        }
        List<String> a = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        a.addAll(argv);
        return a;
    }

    private static void chownTree(Path dir, boolean root) throws Exception {
        if (root) {
            Process p = new ProcessBuilder("chown", "-R", "65534:65534", dir.toString()).inheritIO().start();
            assertEquals(0, p.waitFor());
        }
    }
}
