package org.ktestci.worker.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into lines at {@code \n}, dropping one trailing {@code \r} and keeping everything else
 * (TABs included); lines longer than {@link #MAX_LINE} bytes are cut into pieces.
 */
public final class LineSplitter {
    public static final int MAX_LINE = 65_536;

    private LineSplitter() {
    }

    /** Reads until EOF, handing each line's bytes (without terminator) to {@code sink}. */
    public static void split(InputStream in, Consumer<byte[]> sink) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    sink.accept(finish(line));
                } else {
                    line.write(b);
                    if (line.size() >= MAX_LINE) {
                        sink.accept(line.toByteArray());
                        line.reset();
                    }
                }
            }
        }
        if (line.size() > 0) {
            sink.accept(finish(line));
        }
    }

    private static byte[] finish(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        line.reset();
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
            return Arrays.copyOf(bytes, bytes.length - 1);
        }
        return bytes;
    }
}
