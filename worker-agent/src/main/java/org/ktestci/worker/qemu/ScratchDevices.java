package org.ktestci.worker.qemu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code config-scratch-devs <size>}: sparse files {@code ktest-tmp/dev-<i>} attached as virtio-blk disks
 * (ktest-interface.md §6.3 item 3). Sizes take IEC suffixes K, M, G, T, or plain bytes.
 */
public final class ScratchDevices {
    private ScratchDevices() {
    }

    public static long parseSize(String size) {
        String s = size.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        char last = s.isEmpty() ? '0' : s.charAt(s.length() - 1);
        switch (last) {
            case 'K' -> mult = 1L << 10;
            case 'M' -> mult = 1L << 20;
            case 'G' -> mult = 1L << 30;
            case 'T' -> mult = 1L << 40;
            default -> mult = 1;
        }
        String digits = mult == 1 ? s : s.substring(0, s.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("bad scratch device size '" + size + "'");
        }
    }

    /**
     * Creates the sparse files {@code dev-<firstIndex + i>} and returns their paths, in declaration order (ktest
     * names them by disk number, so a root-image VM's first scratch file is {@code dev-1}).
     */
    public static List<Path> create(Path tmpDir, List<String> sizes, int firstIndex) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            Path dev = tmpDir.resolve("dev-" + (firstIndex + i));
            try (RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw")) {
                f.setLength(parseSize(sizes.get(i))); // sparse: no blocks are written
            }
            out.add(dev);
        }
        return out;
    }
}
