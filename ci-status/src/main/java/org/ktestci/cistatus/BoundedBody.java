package org.ktestci.cistatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Reads what a server sends with a size limit, so a hostile or broken server cannot make the CLI use unbounded
 * memory: the whole body of a response, or one line of an event stream. Over the limit is an error naming it.
 */
final class BoundedBody {
    /** A JSON document: a page of 500 commits with their full messages is a few MB. */
    static final long JSON = 32L << 20;
    /** A {@code <sha>.capnp} blob: tens of thousands of results are a few MB. */
    static final long BLOB = 128L << 20;
    /** A Brotli log as stored ({@code log_cap_mib} is 256 uncompressed by default). */
    static final long LOG = 256L << 20;
    /** A decoded log: the worker caps logs at {@code log_cap_mib}; this bounds a Brotli bomb. */
    static final long DECODED_LOG = 1L << 30;
    /** One line of an event stream, and one event's data. */
    static final int EVENT_LINE = 4 << 20;

    private BoundedBody() {
    }

    /** The whole body, at most {@code max} bytes ({@code what} names it in the error); the stream is closed. */
    static byte[] read(HttpResponse<InputStream> r, long max, String what) throws IOException {
        try (InputStream in = r.body()) {
            long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > max) {
                throw new IOException(what + ": the server sent " + declared + " bytes, more than the limit of "
                        + mib(max));
            }
            return readAtMost(in, max, what);
        }
    }

    static byte[] readAtMost(InputStream in, long max, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > max) {
                throw new IOException(what + ": more than the limit of " + mib(max));
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** One line (without its end) of at most {@code max} bytes, or null at the end of the stream. */
    static String line(InputStream in, int max, String what) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (line.size() >= max) {
                throw new IOException(what + ": a line longer than the limit of " + mib(max));
            }
            line.write(c);
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
