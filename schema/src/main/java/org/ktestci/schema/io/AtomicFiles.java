package org.ktestci.schema.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Atomic replacement of files and symlinks (storage.md §6): write {@code <name>.<8 hex>.new} in the
 * target directory, fsync, rename over the target. Readers see the old or the new content, never a mix;
 * random temp names keep concurrent writers from racing on one temp file.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempSibling(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(dir);
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Points {@code link} at {@code linkTarget} (a relative path is kept relative), replacing what was there. */
    public static void symlink(Path link, Path linkTarget) throws IOException {
        Path dir = link.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempSibling(link);
        try {
            Files.createSymbolicLink(tmp, linkTarget);
            move(tmp, link);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames a finished temp file (e.g. an uploaded {@code .part}) over its target after an fsync. */
    public static void commit(Path finishedTemp, Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(finishedTemp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        move(finishedTemp, target);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    static Path tempSibling(Path target) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return target.resolveSibling(target.getFileName() + "." + HexFormat.of().formatHex(b) + ".new");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("file system of " + to + " cannot rename atomically", e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        // Makes the rename itself durable; some file systems refuse to open a directory, which is harmless.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
