package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.git.CommitInfo;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kept page is served again only while output_dir's time, the views version and its age allow it; every kept
 * kind of response carries an ETag, answers a matching If-None-Match with 304, and is gzipped for clients that ask.
 */
class PageCacheTest {
    private static final long T = 1_800_000_000_000L;

    @TempDir
    Path out;

    private final AtomicLong nanos = new AtomicLong(1);
    private final AtomicLong wall = new AtomicLong(T + 60_000);
    private volatile String views = "tips-1";
    private final AtomicInteger made = new AtomicInteger();

    private PageCache cache(long maxBytes) throws Exception {
        Files.setLastModifiedTime(out, FileTime.fromMillis(T));
        CiQueries q = new CiQueries() {
            @Override public String user() { return "ci"; }
            @Override public Path outputDir() { return out; }
            @Override public int keepResultsCommits() { return 10; }
            @Override public List<BranchSummary> branches() { return List.of(); }
            @Override public Optional<List<CommitInfo>> branchLog(String b, int max) { return Optional.empty(); }
            @Override public Optional<CommitInfo> commit(String sha) { return Optional.empty(); }
            @Override public List<String> branchesContaining(String sha) { return List.of(); }
            @Override public Map<String, ResultDetail> resultDetails(String sha) { return Map.of(); }
            @Override public Optional<String> viewsVersion() { return Optional.ofNullable(views); }
        };
        return new PageCache(q, maxBytes, nanos::get, wall::get);
    }

    private Supplier<Reply> page(String text) {
        return () -> {
            made.incrementAndGet();
            return Reply.html(text);
        };
    }

    private static RequestInfo get(String target, String... headers) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        int q = target.indexOf('?');
        return RequestInfo.parse("GET", q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                h);
    }

    private static String body(Reply r) {
        return new String(((Reply.Bytes) r.body()).data(), StandardCharsets.UTF_8);
    }

    @Test
    void anUnchangedPageIsMadeOnceAndServedWithItsETag() throws Exception {
        PageCache c = cache(1 << 20);
        Reply first = c.serve(get("/ci?commit=a&branch=b"), page("<p>one</p>"));
        Reply second = c.serve(get("/ci?branch=b&commit=a"), page("<p>two</p>"));
        assertEquals(1, made.get(), "the same query in another order is the same page");
        assertEquals("<p>one</p>", body(second));
        assertEquals(first.headers().get("ETag"), second.headers().get("ETag"));
        assertTrue(first.headers().get("ETag").matches("\"[0-9a-f]+-[0-9a-f]+\""), first.headers().toString());
        assertEquals("no-cache", second.headers().get("Cache-Control"));
        assertEquals("Accept-Encoding", second.headers().get("Vary"));
        c.serve(get("/ci?commit=other"), page("<p>other</p>"));
        assertEquals(2, made.get(), "another target is another page");
    }

    @Test
    void aNewBlobANewTipOrAnAgePastTheLimitMakesThePageAgain() throws Exception {
        PageCache c = cache(1 << 20);
        c.serve(get("/ci?branch=main"), page("v1"));
        // A blob renamed into output_dir moves its modification time.
        Files.setLastModifiedTime(out, FileTime.fromMillis(T + 5_000));
        assertEquals("v2", body(c.serve(get("/ci?branch=main"), page("v2"))));
        assertEquals("v2", body(c.serve(get("/ci?branch=main"), page("v2b"))));
        views = "tips-2";
        assertEquals("v3", body(c.serve(get("/ci?branch=main"), page("v3"))));
        nanos.addAndGet(PageCache.TTL_MILLIS * 1_000_000 + 1);
        assertEquals("v4", body(c.serve(get("/ci?branch=main"), page("v4"))));
        assertEquals(4, made.get());
    }

    @Test
    void aPageMadeWhileOutputDirsTimeIsRecentIsNotKept() throws Exception {
        PageCache c = cache(1 << 20);
        // A second rename within the same clock tick would leave the time as it is: do not trust it yet.
        wall.set(T + PageCache.RACY_MILLIS - 1);
        c.serve(get("/ci?branch=main"), page("x"));
        c.serve(get("/ci?branch=main"), page("x"));
        assertEquals(2, made.get());
        wall.set(T + PageCache.RACY_MILLIS);
        c.serve(get("/ci?branch=main"), page("x"));
        c.serve(get("/ci?branch=main"), page("x"));
        assertEquals(3, made.get());
    }

    @Test
    void withoutAViewsVersionNothingIsKeptButETagsStillAnswer304() throws Exception {
        views = null;
        PageCache c = cache(1 << 20);
        Reply r = c.serve(get("/ci"), page("home"));
        Reply again = c.serve(get("/ci", "if-none-match", r.headers().get("ETag")), page("home"));
        assertEquals(2, made.get());
        assertEquals(304, again.status());
        assertEquals(0, ((Reply.Bytes) again.body()).data().length);
        assertEquals(r.headers().get("ETag"), again.headers().get("ETag"));
        assertEquals(200, c.serve(get("/ci", "if-none-match", "\"0-0\""), page("home")).status());
        assertEquals(304, c.serve(get("/ci", "if-none-match", "\"x\", W/" + r.headers().get("ETag")), page("home"))
                .status(), "a weak tag in a list matches");
    }

    @Test
    void errorsAreNeverKept() throws Exception {
        PageCache c = cache(1 << 20);
        Supplier<Reply> missing = () -> {
            made.incrementAndGet();
            return Reply.html(404, "gone");
        };
        assertEquals(404, c.serve(get("/ci?commit=x"), missing).status());
        assertEquals(404, c.serve(get("/ci?commit=x"), missing).status());
        assertEquals(2, made.get());
        assertFalse(c.serve(get("/ci?commit=x"), missing).headers().containsKey("ETag"));
    }

    @Test
    void aClientAcceptingGzipGetsTheSameBytesGzippedUnderItsOwnTag() throws Exception {
        PageCache c = cache(1 << 20);
        String big = "<tr><td>fs.bcachefs.ec.ec</td><td>Passed</td></tr>\n".repeat(2_000);
        Reply plain = c.serve(get("/ci?commit=a"), page(big));
        Reply zipped = c.serve(get("/ci?commit=a", "accept-encoding", "gzip, deflate, br"), page(big));
        assertEquals(1, made.get());
        assertEquals("gzip", zipped.headers().get("Content-Encoding"));
        byte[] z = ((Reply.Bytes) zipped.body()).data();
        assertTrue(z.length < big.length() / 10, "compressed: " + z.length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(z))) {
            assertArrayEquals(big.getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
        String tag = plain.headers().get("ETag");
        assertEquals(tag.substring(0, tag.length() - 1) + "-gz\"", zipped.headers().get("ETag"));
        assertEquals(304, c.serve(get("/ci?commit=a", "accept-encoding", "gzip", "if-none-match",
                zipped.headers().get("ETag")), page(big)).status());
        assertFalse(c.serve(get("/ci?commit=a", "accept-encoding", "gzip;q=0, br"), page(big)).headers()
                .containsKey("Content-Encoding"), "q=0 refuses gzip");
        assertFalse(c.serve(get("/ci?commit=b", "accept-encoding", "gzip"), page("tiny")).headers()
                .containsKey("Content-Encoding"), "small bodies are sent as they are");
    }

    @Test
    void aPageWhoseInputsWereReadWhileOutputDirsTimeWasRecentIsNotKeptHoweverLongItTookToMake() throws Exception {
        PageCache c = cache(1 << 20);
        wall.set(T + 500);
        Supplier<Reply> slow = () -> {
            made.incrementAndGet();
            wall.addAndGet(5_000); // a second-long render: output_dir's time is old by the time it is done
            return Reply.html("slow");
        };
        c.serve(get("/ci?branch=main"), slow);
        c.serve(get("/ci?branch=main"), slow);
        assertEquals(2, made.get(), "the first page's inputs were read 500 ms after output_dir changed");
        c.serve(get("/ci?branch=main"), slow);
        assertEquals(2, made.get(), "the second one's were read long after: kept");
    }

    @Test
    void queriesThatDecodeAlikeAreDifferentPages() throws Exception {
        PageCache c = cache(1 << 20);
        c.serve(get("/ci?test=T%2C%20user%3Dci&branch=B&commit=C"), page("filtered"));
        assertEquals("other", body(c.serve(get("/ci?branch=B&commit=C&test=T&user=ci"), page("other"))));
        assertEquals(2, made.get());
    }

    @Test
    void pagesBeyondTheByteBudgetGoLeastRecentlyUsedFirst() throws Exception {
        // Room for two entries of a 10-byte page, counting each entry's key and overhead.
        PageCache c = cache(2 * (PageCache.ENTRY_OVERHEAD + 10 + 2 * "/ci?commit=a&".length()) + 100);
        c.serve(get("/ci?commit=a"), page("a".repeat(10)));
        c.serve(get("/ci?commit=b"), page("b".repeat(10)));
        c.serve(get("/ci?commit=a"), page("a".repeat(10)));
        c.serve(get("/ci?commit=c"), page("c".repeat(10)));
        assertEquals(3, made.get());
        c.serve(get("/ci?commit=a"), page("a".repeat(10)));
        assertEquals(3, made.get(), "a was used last: kept");
        c.serve(get("/ci?commit=b"), page("b".repeat(10)));
        assertEquals(4, made.get(), "b was the least recently used: dropped");
    }

    /** A make that signals it started and then blocks until released. */
    private Supplier<Reply> blocking(String text, CountDownLatch started,
            CountDownLatch release) {
        return () -> {
            made.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Reply.html(text);
        };
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread not waiting: " + t.getState());
            }
            Thread.sleep(5);
        }
    }

    @Test
    void concurrentRequestsForAPageBeingMadeWaitForItInsteadOfMakingItToo() throws Exception {
        PageCache c = cache(1 << 20);
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var first = new AtomicReference<Reply>();
        var second = new AtomicReference<Reply>();
        Thread a = new Thread(() -> first.set(c.serve(get("/ci?branch=main"), blocking("made once", started, release))));
        a.start();
        started.await();
        Thread b = new Thread(() -> second.set(c.serve(get("/ci?branch=main"), page("made twice"))));
        b.start();
        awaitParked(b);
        release.countDown();
        a.join();
        b.join();
        assertEquals(1, made.get());
        assertEquals("made once", body(second.get()));
        assertEquals(first.get().headers().get("ETag"), second.get().headers().get("ETag"));
    }

    @Test
    void aPageOnlyTooOldIsServedAsKeptWhileOneRequestMakesItAgain() throws Exception {
        PageCache c = cache(1 << 20);
        c.serve(get("/ci?branch=main"), page("old"));
        nanos.addAndGet(PageCache.TTL_MILLIS * 1_000_000 + 1);
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        Thread a = new Thread(() -> c.serve(get("/ci?branch=main"), blocking("new", started, release)));
        a.start();
        started.await();
        assertEquals("old", body(c.serve(get("/ci?branch=main"), page("not made"))), "no wait for the remake");
        release.countDown();
        a.join();
        assertEquals("new", body(c.serve(get("/ci?branch=main"), page("not made"))));
        assertEquals(2, made.get());
    }

    @Test
    void aRequestWaitingForAFailedMakeFailsTheSameWay() throws Exception {
        PageCache c = cache(1 << 20);
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        Supplier<Reply> failing = () -> {
            blocking("", started, release).get();
            throw HttpError.notFound("Commit not found");
        };
        Thread a = new Thread(() -> {
            try {
                c.serve(get("/ci?commit=bad"), failing);
            } catch (HttpError expected) {
                // the maker's own failure
            }
        });
        a.start();
        started.await();
        var failure = new AtomicReference<Throwable>();
        Thread b = new Thread(() -> {
            try {
                c.serve(get("/ci?commit=bad"), page("not made"));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        b.start();
        awaitParked(b);
        release.countDown();
        a.join();
        b.join();
        assertTrue(failure.get() instanceof HttpError h && h.status() == 404, String.valueOf(failure.get()));
        assertEquals(1, made.get());
    }
}
