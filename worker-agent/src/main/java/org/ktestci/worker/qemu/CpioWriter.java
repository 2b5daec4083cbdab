package org.ktestci.worker.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the {@code newc} format the kernel unpacks as an initramfs: 110-byte ASCII header,
 * NUL-terminated name, data, each padded to 4 bytes, closed by {@code TRAILER!!!}. Parent directories are
 * added on demand so every entry's directory exists when the kernel unpacks it.
 */
final class CpioWriter implements AutoCloseable {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private final OutputStream out;
    private final Set<String> dirs = new HashSet<>();
    private long written;
    private int inode = 1;

    CpioWriter(OutputStream out) {
        this.out = out;
    }

    void directory(String path) throws IOException {
        String p = strip(path);
        if (p.isEmpty() || dirs.contains(p)) {
            return;
        }
        parents(p);
        dirs.add(p);
        entry(p, S_IFDIR | 0755, new byte[0]);
    }

    void file(String path, byte[] data, int mode) throws IOException {
        String p = strip(path);
        parents(p);
        entry(p, S_IFREG | (mode & 07777), data);
    }

    void symlink(String path, String target) throws IOException {
        String p = strip(path);
        parents(p);
        entry(p, S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8));
    }

    private void parents(String p) throws IOException {
        int slash = p.lastIndexOf('/');
        if (slash > 0) {
            directory(p.substring(0, slash));
        }
    }

    private static String strip(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private void entry(String name, int mode, byte[] data) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        String header = "070701" + hex(inode++) + hex(mode) + hex(0) + hex(0) + hex(mode >>> 12 == 04 ? 2 : 1)
                + hex(0) + hex(data.length) + hex(0) + hex(0) + hex(0) + hex(0) + hex(nameBytes.length) + hex(0);
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(data);
        pad();
    }

    private static String hex(long v) {
        return String.format("%08x", v);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    @Override
    public void close() throws IOException {
        entry("TRAILER!!!", 0, new byte[0]);
        out.close();
    }
}
