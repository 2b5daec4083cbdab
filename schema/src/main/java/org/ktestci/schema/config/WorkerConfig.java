package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code [worker]} (config.md §6.3), defaults applied. {@code kernelPaths}: the directories a job's absolute
 * kernel image may lie under.
 */
public record WorkerConfig(String host, Arch arch, int slots, Path workspace, Path ktestDir, Runner runner,
                           Path kernelStore, String qemuBinary, String busybox, int logCapMib, int minFreeDiskGib,
                           Optional<Path> qemuKernel, String bash, Optional<Path> rootImage,
                           Path defaultRootImage, Optional<String> rootImageMirror,
                           List<String> rootImagePackages, int consoleCapMib, int consoleLinesPerSec,
                           List<Path> kernelPaths) {

    /** The batch backend a worker uses by default ({@code ktest-interface.md} §6). */
    public enum Runner {
        KTEST("ktest"), HOST("host"), QEMU("qemu");

        private final String id;

        Runner(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The runner a config value names; empty for anything else. */
        public static Optional<Runner> fromConfig(String value) {
            for (Runner r : values()) {
                if (r.id.equals(value)) {
                    return Optional.of(r);
                }
            }
            return Optional.empty();
        }
    }
}
