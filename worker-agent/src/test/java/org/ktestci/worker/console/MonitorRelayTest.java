package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.worker.qemu.QemuCommand;
import org.ktestci.worker.qemu.VmDisks;
import org.ktestci.worker.vm.VmTestEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The QEMU_MONITOR relay against a real qemu (no guest: {@code -machine none}, our {@code -sandbox}): what the
 * allow-list passes reaches the monitor and is answered; what it refuses never reaches it, and no host file is
 * touched. qemu's block list afterwards shows only this run's scratch drive.
 */
class MonitorRelayTest {
    @TempDir
    Path dir;

    @Test
    void onlyAllowedCommandsReachARealQemu() throws Exception {
        VmTestEnvironment.qemu();
        VmTestEnvironment.require(Files.isExecutable(Path.of("/usr/bin/socat")), "socat");
        Path tmp = dir.resolve("ktest-tmp");
        Files.createDirectories(tmp);
        Path scratch = tmp.resolve("dev-1");
        Files.write(scratch, new byte[1 << 20]);
        Files.writeString(dir.resolve("host-secret"), "secret\n");
        VmDisks disks = VmDisks.of(dir.resolve("root.img"), List.of(scratch));
        String drive = disks.drives().get(1);
        String script = """
                #!/bin/bash
                qemu-system-x86_64 -machine none -nodefaults -display none -S -sandbox %s \\
                    -monitor unix:%s/mon,server,nowait -drive %s &
                q=$!
                while [ ! -S %2$s/mon ]; do sleep 0.05; done
                echo "QEMU_MONITOR migrate \\"exec:touch %4$s/migrated\\""
                echo "QEMU_MONITOR drive_add 0 if=none,format=raw,id=stolen,file=%4$s/host-secret"
                echo "QEMU_MONITOR drive_add 0 %5$s"
                echo "QEMU_MONITOR device_del dev1"
                echo "WATCHDOG 60"
                while [ ! -e %4$s/relayed ]; do sleep 0.05; done
                echo "info block" | socat - UNIX-CONNECT:%2$s/mon | tr -d '\\r' | grep -a ': ' | sed 's/^/block: /'
                kill $q
                """.formatted(QemuCommand.SANDBOX, tmp, drive, dir, drive.replace("id=disk1,", "id=disk1p1,"));
        Path child = dir.resolve("child.sh");
        Files.writeString(child, script);
        Files.setPosixFilePermissions(child, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path results = dir.resolve("results");
        ConsoleRecorder recorder = new ConsoleRecorder(line -> {
            if (line.contains("WATCHDOG 60")) {
                try {
                    Files.writeString(dir.resolve("relayed"), ""); // the four lines before it are done
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        ConsoleSupervisor s = new ConsoleSupervisor(List.of(child.toString()), Map.of("PATH", System.getenv("PATH")),
                dir, List.of(), "t", results, 1, new SupervisorSettings(Duration.ofSeconds(60), 1 << 20,
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5), true,
                Optional.of(tmp.resolve("mon")), disks.monitorPolicy(), ConsoleLimits.DEFAULT), recorder);
        s.run();
        String out = recorder.text();
        assertFalse(Files.exists(dir.resolve("migrated")), out);
        assertTrue(out.contains("QEMU_MONITOR refused: migrate"), out);
        assertTrue(out.contains("QEMU_MONITOR refused: drive_add: only this run's scratch drives"), out);
        assertTrue(out.contains("qemu monitor: OK"), "the scratch drive was added back: " + out);
        assertTrue(out.contains("qemu monitor: Error: Device 'dev1' not found"),
                "device_del reached qemu (this machine-less qemu has no devices): " + out);
        assertFalse(out.contains("(qemu)"), "the monitor's echo is not logged: " + out);
        assertEquals(2, s.monitorRefusals());
        assertTrue(out.contains("block: disk1p1"), "qemu holds the re-added scratch drive: " + out);
        assertFalse(out.contains("block: stolen"), "and never the host file: " + out);
    }
}
