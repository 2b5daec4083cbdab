package org.ktestci.schema.io;

import org.capnproto.MessageBuilder;
import org.capnproto.ReaderOptions;
import org.capnproto.Serialize;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the Cap'n Proto files ({@code <sha>.capnp}, {@code test_durations.capnp}) share: the standard unpacked
 * stream framing (storage.md §5), read with fixed limits (64 Mi words traversal, nesting 64).
 */
public final class CapnpFiles {
    public static final ReaderOptions READER_OPTIONS = new ReaderOptions(64L * 1024 * 1024, 64);

    /** Decodes a whole file's bytes. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(byte[] blob) throws IOException;
    }

    private CapnpFiles() {
    }

    /** The message in the unpacked stream framing. */
    public static byte[] bytes(MessageBuilder message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Serialize.write(Channels.newChannel(out), message);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return out.toByteArray();
    }

    /** {@code file} decoded; an error names the file. */
    public static <T> T read(Path file, Decoder<T> decoder) throws IOException {
        try {
            return decoder.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
