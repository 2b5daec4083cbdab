package org.ktestci.worker.console;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A log file that keeps at most {@code cap} bytes, then one {@code [log truncated]} line (config.md §6.3). */
final class CappedLog implements AutoCloseable {
    private static final byte[] TRUNCATED = "[log truncated]\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final long cap;
    private long written;
    private boolean truncated;

    CappedLog(Path file, long cap) throws IOException {
        Files.createDirectories(file.getParent());
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        this.cap = cap;
    }

    void writeLine(byte[] prefix, byte[] line) throws IOException {
        if (truncated) {
            return;
        }
        long size = prefix.length + line.length + 1L;
        if (written + size > cap) {
            out.write(TRUNCATED);
            truncated = true;
            return;
        }
        out.write(prefix);
        out.write(line);
        out.write('\n');
        written += size;
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
