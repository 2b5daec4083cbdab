package org.ktestci.worker.run;

import org.ktestci.schema.io.FileTrees;
import org.ktestci.worker.checkout.WorkspaceCheckout;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Predicate;

/**
 * A slot's directory (ktest-interface.md §5): the checkout, {@code results/} of the current batch,
 * {@code ktest-out/} whose kernel builds survive batches, and per iteration {@code ktest-tmp/} (qemu's monitor
 * socket, the initramfs, scratch disks) and {@code host-run/}. Only the worker may enter it: qemu's monitor socket
 * is in it, and what a guest writes into {@code ktest-out} (over 9p, as qemu's user) must not be reachable by
 * other users of the host.
 */
final class SlotWorkspace {
    private final Path dir;

    private SlotWorkspace(Path dir) {
        this.dir = dir;
    }

    /** Creates the slot's directory if needed and closes it to everyone but the worker. */
    static SlotWorkspace open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return new SlotWorkspace(dir);
    }

    Path dir() {
        return dir;
    }

    Path agentLog() {
        return dir.resolve("agent.log");
    }

    Path results() {
        return dir.resolve("results");
    }

    Path ktestOut() {
        return dir.resolve("ktest-out");
    }

    Path ktestTmp() {
        return dir.resolve("ktest-tmp");
    }

    long usableBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** For a new batch: an empty {@code results/}, and {@code ktest-out/} without what is not a kernel build. */
    void prepareBatch() throws IOException {
        Files.createDirectories(ktestOut());
        deleteIn(ktestOut(), name -> !name.startsWith("kernel")); // kernel_build.* and kernel.* survive batches
        recreate(results());
    }

    /** For a new iteration: empty {@code ktest-tmp/} and {@code host-run/}. */
    void prepareIteration() throws IOException {
        recreate(ktestTmp());
        recreate(dir.resolve("host-run"));
    }

    /** After an iteration: its VM's files go (initramfs, scratch disks can be large). */
    void dropIterationFiles() throws IOException {
        FileTrees.deleteRecursively(ktestTmp());
    }

    /** Before the one retry after zero progress: a clean checkout and no kernel build to reuse. */
    void cleanForRetry(Path repoDir) throws IOException {
        WorkspaceCheckout.clean(repoDir);
        deleteIn(ktestOut(), name -> name.startsWith("kernel_build.") || name.startsWith("kernel."));
    }

    private static void deleteIn(Path parent, Predicate<String> named) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
            for (Path p : entries) {
                if (named.test(p.getFileName().toString())) {
                    FileTrees.deleteRecursively(p);
                }
            }
        }
    }

    private static void recreate(Path dir) throws IOException {
        FileTrees.deleteRecursively(dir);
        Files.createDirectories(dir);
    }
}
