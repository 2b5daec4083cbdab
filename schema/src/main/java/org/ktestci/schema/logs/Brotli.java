package org.ktestci.schema.logs;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Brotli for {@code log.br} / {@code full_log.br}: quality 9, window 22, as ktest writes them (storage.md §4). */
public final class Brotli {
    private static final Encoder.Parameters LOG_PARAMS = new Encoder.Parameters().setQuality(9).setWindow(22);

    private Brotli() {
    }

    private static void ensureLoaded() {
        Brotli4jLoader.ensureAvailability();
    }

    public static byte[] compress(byte[] data) throws IOException {
        ensureLoaded();
        return Encoder.compress(data, LOG_PARAMS);
    }

    public static byte[] decompress(byte[] data) throws IOException {
        try (InputStream in = decompressing(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    /** Streams the decoded bytes of a Brotli stream (used to serve a log to clients without {@code br}). */
    public static InputStream decompressing(InputStream compressed) throws IOException {
        ensureLoaded();
        return new BrotliInputStream(compressed);
    }
}
