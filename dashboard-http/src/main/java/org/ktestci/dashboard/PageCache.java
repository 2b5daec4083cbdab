package org.ktestci.dashboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.Adler32;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Finished responses of the result views (HTML, {@code format=json}, read-only {@code /api/v1}), kept per request
 * target and served again while nothing they were made from can have changed:
 *
 * <ul>
 *   <li>{@code output_dir}'s modification time is the same. Blobs are only ever replaced by a rename into that
 *   directory, which updates it. A time less than {@value #RACY_MILLIS} ms old when the page was made is not
 *   trusted (a second rename in the same clock tick would not change it), so such pages are not kept;</li>
 *   <li>{@link CiQueries#viewsVersion()} (branch tips, tracked branches, settings) is the same;</li>
 *   <li>the page is younger than {@value #TTL_MILLIS} ms, which bounds what a file edited in place outside
 *   ktest-ci (or an attribute-caching network file system) can leave stale.</li>
 * </ul>
 *
 * Every such response also carries an {@code ETag} (CRC-32C and Adler-32 of the body) with {@code Cache-Control: no-cache},
 * so a browser revalidates and gets {@code 304}; a client accepting gzip gets the body gzipped, compressed once
 * per kept page.
 */
final class PageCache {
    static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    static final long TTL_MILLIS = 2_000;
    static final long RACY_MILLIS = 1_000;
    /** Below this, gzip costs more than it saves. */
    static final int GZIP_MIN_BYTES = 1_024;
    /** Headers, the entry and its map node, roughly. */
    static final long ENTRY_OVERHEAD = 512;

    /** What a page was made from. */
    record Version(long outputDirMtimeMillis, String views) {}

    private static final class Entry {
        final Version version;
        final long madeAtNanos;
        final Reply reply;
        final byte[] body;
        final String etag;
        volatile byte[] gzip;
        /** The key and the entry's own objects, counted so that many small pages cannot outgrow the budget. */
        long overhead;

        Entry(Version version, long madeAtNanos, Reply reply, byte[] body) {
            this.version = version;
            this.madeAtNanos = madeAtNanos;
            this.reply = reply;
            this.body = body;
            // Two independent 32-bit checksums and the length: a changed page keeping its tag is not a practical risk.
            CRC32C crc = new CRC32C();
            crc.update(body);
            Adler32 adler = new Adler32();
            adler.update(body);
            this.etag = String.format("\"%08x%08x-%x", crc.getValue(), adler.getValue(), body.length);
        }

        long bytes() {
            byte[] g = gzip;
            return body.length + (g == null ? 0 : g.length) + overhead;
        }
    }

    private final CiQueries queries;
    private final long maxBytes;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClock;
    private final LinkedHashMap<String, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Flight> inFlight = new HashMap<>();
    private long bytes;

    PageCache(CiQueries queries, long maxBytes) {
        this(queries, maxBytes, System::nanoTime, System::currentTimeMillis);
    }

    PageCache(CiQueries queries, long maxBytes, LongSupplier nanoClock, LongSupplier wallClock) {
        this.queries = queries;
        this.maxBytes = maxBytes;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
    }

    /** A page being made: requests for the same target and version wait for it instead of making it too. */
    private record Flight(Version version, CompletableFuture<Made> result) {}

    /** What a flight made: the reply, and its entry when the reply can be kept or tagged (200 with a body). */
    private record Made(Reply reply, Entry entry) {}

    /**
     * The response to {@code req}: a kept one if still valid, else {@code make}'s (kept when it can be). One
     * request makes a page at a time; others for it wait, or, when only its age ran out, get the kept one meanwhile.
     */
    Reply serve(RequestInfo req, Supplier<Reply> make) {
        String key = key(req);
        // The wall clock is read with the version: the question is whether output_dir's time was old enough
        // when the page's inputs were read, not when the page was done.
        long readAt = wallClock.getAsLong();
        Optional<Version> now = version();
        if (now.isEmpty()) {
            Made m = make(make, null);
            return m.entry() == null ? m.reply() : answer(req, key, m.entry());
        }
        boolean keepable = readAt - now.get().outputDirMtimeMillis() >= RACY_MILLIS;
        Flight mine = null;
        Flight theirs = null;
        Entry kept;
        synchronized (this) {
            kept = lru.get(key);
            boolean current = kept != null && kept.version.equals(now.get());
            if (kept != null && !current) {
                drop(key);
                kept = null;
            }
            boolean fresh = current && nanoClock.getAsLong() - kept.madeAtNanos <= TTL_MILLIS * 1_000_000;
            if (!fresh) {
                Flight f = inFlight.get(key);
                if (f != null && f.version().equals(now.get())) {
                    theirs = f;
                } else {
                    mine = new Flight(now.get(), new CompletableFuture<>());
                    inFlight.put(key, mine);
                }
            }
        }
        if (kept != null && mine == null) {
            return answer(req, key, kept); // fresh, or too old but being made again by another request
        }
        if (theirs != null) {
            Made m;
            try {
                m = theirs.result().join();
            } catch (CompletionException e) {
                // The same request failed for the request that made it (a 404 view, say): fail the same way.
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            if (m.entry() == null) {
                // An in-memory reply (an error page) can be sent twice; a streamed body only once.
                return m.reply().body() instanceof Reply.Bytes ? m.reply() : make.get();
            }
            return answer(req, key, m.entry());
        }
        Made m;
        try {
            m = make(make, now.get());
            if (m.entry() != null && keepable) {
                m.entry().overhead = ENTRY_OVERHEAD + 2L * key.length();
                store(key, m.entry());
            }
            mine.result().complete(m);
        } catch (Throwable e) {
            mine.result().completeExceptionally(e);
            throw e;
        } finally {
            synchronized (this) {
                inFlight.remove(key, mine);
            }
        }
        return m.entry() == null ? m.reply() : answer(req, key, m.entry());
    }

    /** Path and query, every name and value percent-encoded again, sorted: one key per distinct query. */
    static String key(RequestInfo req) {
        StringBuilder k = new StringBuilder(req.rawPath()).append('?');
        new TreeMap<>(req.query()).forEach((name, value) -> k.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&'));
        return k.toString();
    }

    private Made make(Supplier<Reply> make, Version version) {
        long started = nanoClock.getAsLong();
        Reply reply = make.get();
        if (reply.status() != 200 || !(reply.body() instanceof Reply.Bytes b)) {
            return new Made(reply, null);
        }
        return new Made(reply, new Entry(version, started, reply, b.data()));
    }

    private Optional<Version> version() {
        Optional<String> views = queries.viewsVersion();
        if (views.isEmpty()) {
            return Optional.empty();
        }
        try {
            long mtime = Files.getLastModifiedTime(queries.outputDir()).to(TimeUnit.MILLISECONDS);
            return Optional.of(new Version(mtime, views.get()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void drop(String key) {
        Entry e = lru.remove(key);
        if (e != null) {
            bytes -= e.bytes();
        }
    }

    private synchronized void store(String key, Entry e) {
        if (e.body.length > maxBytes) {
            return;
        }
        Entry old = lru.put(key, e);
        bytes += e.bytes() - (old == null ? 0 : old.bytes());
        evict(key);
    }

    private void evict(String keep) {
        Iterator<Map.Entry<String, Entry>> it = lru.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<String, Entry> eldest = it.next();
            if (!eldest.getKey().equals(keep)) {
                bytes -= eldest.getValue().bytes();
                it.remove();
            }
        }
    }

    private Reply answer(RequestInfo req, String key, Entry e) {
        boolean gzip = e.body.length >= GZIP_MIN_BYTES && acceptsGzip(req.header("accept-encoding").orElse(""));
        String etag = e.etag + (gzip ? "-gz\"" : "\"");
        Reply base = e.reply.withHeader("ETag", etag).withHeader("Cache-Control", "no-cache")
                .withHeader("Vary", "Accept-Encoding");
        if (matches(req.header("if-none-match").orElse(""), e.etag)) {
            return new Reply(304, base.contentType(), new Reply.Bytes(new byte[0]), base.headers());
        }
        if (!gzip) {
            return base;
        }
        return new Reply(200, base.contentType(), new Reply.Bytes(gzipped(key, e)), base.headers())
                .withHeader("Content-Encoding", "gzip");
    }

    private byte[] gzipped(String key, Entry e) {
        byte[] g = e.gzip;
        if (g != null) {
            return g;
        }
        g = gzip(e.body);
        synchronized (this) {
            if (e.gzip == null) {
                e.gzip = g;
                // Counted only while the entry is kept; keeping it may now evict older pages.
                if (lru.get(key) == e) {
                    bytes += g.length;
                    evict(key);
                }
            }
            return e.gzip;
        }
    }

    static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 8));
        try (GZIPOutputStream z = new GZIPOutputStream(out, 64 * 1024) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            z.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** RFC 9110 §8.4: {@code gzip} listed with a q-value above 0 (or {@code *} without a gzip entry). */
    static boolean acceptsGzip(String acceptEncoding) {
        boolean star = false;
        for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] p = part.trim().split(";");
            String coding = p[0].trim();
            double q = 1;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].trim();
                if (param.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException ex) {
                        q = 0;
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                return q > 0;
            }
            if (coding.equals("*")) {
                star = q > 0;
            }
        }
        return star;
    }

    /** Weak comparison (RFC 9110 §13.1.2): either encoding's tag of this body, or {@code *}. */
    private static boolean matches(String ifNoneMatch, String etagStem) {
        if (ifNoneMatch.isBlank()) {
            return false;
        }
        for (String t : ifNoneMatch.split(",")) {
            String tag = t.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etagStem + "\"") || tag.equals(etagStem + "-gz\"")) {
                return true;
            }
        }
        return false;
    }
}
