package org.ktestci.schema.logs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrotliTest {
    @Test
    void roundTripsLogBytesIncludingTabsAndNonUtf8() throws IOException {
        byte[] log = ("00000 ========= TEST   a\tb\n" + "x".repeat(100_000) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] withBinary = new byte[log.length + 2];
        System.arraycopy(log, 0, withBinary, 0, log.length);
        withBinary[log.length] = (byte) 0xff;
        withBinary[log.length + 1] = (byte) 0x00;
        byte[] compressed = Brotli.compress(withBinary);
        assertTrue(compressed.length < withBinary.length / 10, "repetitive logs compress well");
        assertArrayEquals(withBinary, Brotli.decompress(compressed));
    }
}
