package org.ktestci.schema.durations;

import org.capnproto.MessageBuilder;
import org.capnproto.MessageReader;
import org.capnproto.Serialize;
import org.capnproto.StructList;
import org.ktestci.schema.capnp.DurationsSchema.Duration;
import org.ktestci.schema.capnp.DurationsSchema.Durations;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.io.CapnpFiles;
import org.ktestci.schema.keys.Utf8ByteOrder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and writes {@code test_durations.capnp} (ktest's {@code durations.capnp} schema, storage.md §5.2): entries
 * sorted by {@code test} in byte order, standard unpacked framing, the reader limits of results blobs.
 */
public final class DurationsCodec {
    public static final Comparator<DurationStat> BY_TEST = Comparator.comparing(DurationStat::test,
            Utf8ByteOrder.COMPARATOR);

    private DurationsCodec() {
    }

    /** Encodes the entries sorted by test in byte order (the order lookups rely on). */
    public static byte[] encode(List<DurationStat> stats) {
        List<DurationStat> sorted = new ArrayList<>(stats);
        sorted.sort(BY_TEST);
        MessageBuilder message = new MessageBuilder();
        Durations.Builder root = message.initRoot(Durations.factory);
        StructList.Builder<Duration.Builder> list = root.initEntries(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            DurationStat s = sorted.get(i);
            Duration.Builder b = list.get(i);
            b.setTest(s.test());
            b.setDuration(s.duration());
            b.setNr(s.nr());
            b.setPassed(s.passed());
            b.setFailed(s.failed());
        }
        return CapnpFiles.bytes(message);
    }

    public static List<DurationStat> decode(byte[] blob) throws IOException {
        try {
            MessageReader message = Serialize.read(ByteBuffer.wrap(blob), CapnpFiles.READER_OPTIONS);
            Durations.Reader root = message.getRoot(Durations.factory);
            List<DurationStat> out = new ArrayList<>();
            for (Duration.Reader r : root.getEntries()) {
                out.add(new DurationStat(r.getTest().toString(), r.getDuration(), r.getNr(), r.getPassed(),
                        r.getFailed()));
            }
            return out;
        } catch (RuntimeException e) {
            throw new IOException("corrupt durations blob: " + e.getMessage(), e);
        }
    }

    public static List<DurationStat> read(Path file) throws IOException {
        return CapnpFiles.read(file, DurationsCodec::decode);
    }

    public static void writeAtomically(Path file, List<DurationStat> stats) throws IOException {
        AtomicFiles.write(file, encode(stats));
    }
}
