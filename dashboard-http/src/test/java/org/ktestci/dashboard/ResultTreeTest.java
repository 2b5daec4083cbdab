package org.ktestci.dashboard;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResultsCodec;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.dashboard.DashboardFixture.FULL_LOG_TEXT;
import static org.ktestci.dashboard.DashboardFixture.LOG_TEXT;

/** The {@code /c/} tree (http.md §4): allow-list, confinement, conditional GETs, ranges, Brotli negotiation. */
class ResultTreeTest extends SharedDashboardTest {
    String dir;
    byte[] storedLog;

    @BeforeAll
    void readTheStoredLog() throws Exception {
        dir = "/c/" + fx.m(5);
        storedLog = Files.readAllBytes(fx.out.resolve(fx.m(5)).resolve("k.b").resolve("log.br"));
    }

    @Test
    void servesBlobsStatusAndDurationFiles() throws Exception {
        HttpResponse<byte[]> blob = http.get(dir + ".capnp");
        assertEquals(200, blob.statusCode());
        assertEquals("application/octet-stream", Http.header(blob, "Content-Type"));
        assertEquals(fx.m(5), CommitResultsCodec.decode(blob.body()).commit());
        HttpResponse<byte[]> status = http.get(dir + "/k.b/status");
        assertEquals("text/plain; charset=utf-8", Http.header(status, "Content-Type"));
        assertEquals("========= FAILED b in 31s\n", Http.body(status));
        assertEquals("31", Http.body(http.get(dir + "/k.b/duration")));
        HttpResponse<byte[]> empty = http.get(dir + "/k.d/status");
        assertEquals(200, empty.statusCode());
        assertEquals(0, empty.body().length);
        assertEquals("Passed\n", Http.body(http.get(dir + "/k..dots/status")), "'..' inside a key is allowed");
        assertEquals(404, http.get("/c/test_durations.capnp").statusCode(), "allowed name, but not written yet");
    }

    @Test
    void headAnswersFilesWithoutABody() throws Exception {
        HttpResponse<byte[]> head = http.send("HEAD", dir + "/k.b/status");
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals("26", Http.header(head, "Content-Length"));
        assertFalse(Http.header(head, "Last-Modified").isEmpty());
        HttpResponse<byte[]> listing = http.send("HEAD", dir + "/");
        assertEquals(405, listing.statusCode());
        assertEquals("GET", Http.header(listing, "Allow"));
        HttpResponse<byte[]> post = http.send("POST", dir + "/k.b/log.br");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", Http.header(post, "Allow"));
    }

    @Test
    void conditionalGetAnswersNotModifiedUntilTheFileChanges() throws Exception {
        for (String path : List.of(dir + ".capnp", dir + "/k.b/status", dir + "/k.b/log.br")) {
            HttpResponse<byte[]> first = http.get(path);
            assertEquals("no-cache", Http.header(first, "Cache-Control"), path);
            String lastModified = Http.header(first, "Last-Modified");
            assertTrue(lastModified.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                    lastModified);
            HttpResponse<byte[]> again = http.get(path, "If-Modified-Since", lastModified);
            assertEquals(304, again.statusCode(), path);
            assertEquals(0, again.body().length);
            assertEquals(lastModified, Http.header(again, "Last-Modified"));
            assertEquals(200, http.get(path, "If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT").statusCode());
        }
    }

    @Test
    void brotliLogsAreNegotiatedThreeWays() throws Exception {
        String path = dir + "/k.b/log.br";
        HttpResponse<byte[]> raw = http.get(path);
        assertEquals("application/x-brotli", Http.header(raw, "Content-Type"), "no Accept-Encoding: raw bytes");
        assertEquals("", Http.header(raw, "Content-Encoding"));
        assertArrayEquals(storedLog, raw.body());
        assertArrayEquals(storedLog, http.get(path, "Accept-Encoding", "identity").body());

        HttpResponse<byte[]> br = http.get(path, "Accept-Encoding", "gzip, deflate, br");
        assertEquals("text/plain; charset=utf-8", Http.header(br, "Content-Type"));
        assertEquals("br", Http.header(br, "Content-Encoding"));
        assertArrayEquals(storedLog, br.body());
        assertEquals(LOG_TEXT, new String(Brotli.decompress(br.body()), StandardCharsets.UTF_8));

        for (String accept : List.of("gzip, deflate", "br;q=0, gzip")) {
            HttpResponse<byte[]> decoded = http.get(path, "Accept-Encoding", accept);
            assertEquals("text/plain; charset=utf-8", Http.header(decoded, "Content-Type"), accept);
            assertEquals("", Http.header(decoded, "Content-Encoding"));
            assertEquals(LOG_TEXT, Http.body(decoded), accept);
        }
    }

    @Test
    void fullLogSymlinkInsideOutputDirIsFollowed() throws Exception {
        HttpResponse<byte[]> viaLink = http.get(dir + "/k.a/full_log.br", "Accept-Encoding", "gzip");
        assertEquals(200, viaLink.statusCode());
        assertEquals(FULL_LOG_TEXT, Http.body(viaLink));
    }

    @Test
    void rangesServeSlicesOfTheStoredBytes() throws Exception {
        String path = dir + "/k.b/log.br";
        int size = storedLog.length;
        HttpResponse<byte[]> head = http.get(path, "Range", "bytes=0-3");
        assertEquals(206, head.statusCode());
        assertEquals("bytes 0-3/" + size, Http.header(head, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(storedLog, 0, 4), head.body());
        HttpResponse<byte[]> tail = http.get(path, "Range", "bytes=-5", "Accept-Encoding", "br");
        assertEquals(206, tail.statusCode());
        assertEquals("br", Http.header(tail, "Content-Encoding"));
        assertArrayEquals(Arrays.copyOfRange(storedLog, size - 5, size), tail.body());
        HttpResponse<byte[]> rest = http.get(path, "Range", "bytes=4-");
        assertArrayEquals(Arrays.copyOfRange(storedLog, 4, size), rest.body());
        HttpResponse<byte[]> beyond = http.get(path, "Range", "bytes=" + size + "-");
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */" + size, Http.header(beyond, "Content-Range"));
        assertEquals(200, http.get(path, "Range", "bytes=0-1,4-5").statusCode(), "several ranges: whole file");
        HttpResponse<byte[]> decoded = http.get(path, "Range", "bytes=0-3", "Accept-Encoding", "gzip");
        assertEquals(200, decoded.statusCode(), "server-side decoding ignores Range");
        assertEquals(LOG_TEXT, Http.body(decoded));
    }

    @Test
    void dotSegmentsBackslashesNulAndEncodedSlashesAreBadRequests() throws Exception {
        String sha = fx.m(5);
        for (String target : List.of("/c/" + sha + "/../../secret", "/c/" + sha + "/k.b/./status",
                "/c/" + sha + "/%2e%2e/%2e%2e/secret", "/c/" + sha + "/%2E%2E/x", "/c/" + sha + "/.%2e/secret",
                "/c/" + sha + "/k.b%2Fstatus", "/c/" + sha + "/..%2F..%2Fsecret", "/c/" + sha + "/k.b%5Cstatus",
                "/c/" + sha + "/k.b/status%00", "/c/" + sha + "/k.b\\status", "/c/..", "/c/.", "/c/%2Fetc%2Fpasswd")) {
            assertEquals(400, http.rawStatus("GET", target), target);
        }
    }

    @Test
    void namesOutsideTheAllowListAreNotFound() throws Exception {
        String sha = fx.m(5);
        for (String target : List.of("/c//etc/passwd", "/c/etc/passwd", "/c/" + sha,
                "/c/" + sha + ".capnp/", "/c/" + sha + "/k.b", "/c/" + sha + "/k.b/secret",
                "/c/" + sha + "/k.b/.log.br.lease-1.0.part", "/c/" + sha + "/k.b/status.0a1b2c3d.new",
                "/c/ci-daemon-status.json", "/c/.ktest-ci-projection-offset", "/c/" + sha.toUpperCase(),
                "/c/" + sha.substring(0, 39) + "/", "/c/" + sha + "/k%20b/status", "/c/" + sha + "/k.b/status/x",
                "/c/" + sha + "//status", "/c/", "/c/" + sha + "/k.b/log.br/")) {
            assertEquals(404, http.rawStatus("GET", target), target);
        }
    }

    @Test
    void symlinksLeavingOutputDirAreNotFound() throws Exception {
        assertEquals(404, http.get(dir + "/k.escape/full_log.br").statusCode(), "file symlink to ../../../secret");
        assertEquals(404, http.get(dir + "/k.dirlink/status").statusCode(), "key directory symlinked outside");
        assertEquals(404, http.get(dir + "/k.dirlink/").statusCode());
    }

    @Test
    void listingsShowOnlyAllowedNamesInByteOrder() throws Exception {
        String commit = http.html(dir + "/");
        assertEquals(List.of(dir + "/k..dots/", dir + "/k.a/", dir + "/k.b/", dir + "/k.c/", dir + "/k.d/", dir + "/k.escape/"),
                hrefs(commit));
        String key = http.html(dir + "/k.b/");
        assertEquals(List.of(dir + "/k.b/duration", dir + "/k.b/full_log.br", dir + "/k.b/log.br", dir + "/k.b/status"),
                hrefs(key));
        assertEquals(List.of(dir + "/k.a/full_log.br", dir + "/k.a/status"), hrefs(http.html(dir + "/k.a/")));
        assertEquals(List.of(), hrefs(http.html(dir + "/k.escape/")), "an escaping symlink is not listed");
    }

    private static List<String> hrefs(String html) {
        Matcher m = Pattern.compile("<li><a href=\"([^\"]*)\">").matcher(html);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void filesOpenedForAnAnswerAreClosedWhateverTheAnswer() throws Exception {
        String path = dir + "/k.b/log.br";
        String lastModified = Http.header(http.get(path), "Last-Modified");
        for (int i = 0; i < 10; i++) {
            http.get(path, "Accept-Encoding", "gzip");
            http.get(path, "Range", "bytes=2-5");
            http.get(path, "Range", "bytes=99999-");
            http.get(path, "If-Modified-Since", lastModified);
            http.send("HEAD", path);
            http.send("HEAD", path, "Accept-Encoding", "gzip");
        }
        Path log = fx.out.resolve(fx.m(5)).resolve("k.b").resolve("log.br").toRealPath();
        // Streams close right after their last byte, so poll briefly (sleeping: busy polling would allocate and
        // trigger the GC, whose cleaner closes leaked channels too and would hide a leak).
        long deadline = System.nanoTime() + 1_000_000_000L;
        long open = openDescriptors(log);
        while (open > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            open = openDescriptors(log);
        }
        assertEquals(0, open, "descriptors still open on " + log);
    }

    private static long openDescriptors(Path file) throws Exception {
        long n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return n;
    }

    @Test
    void everyTreeResponseMayBeReadCrossOrigin() throws Exception {
        assertEquals("*", Http.header(http.get(dir + "/k.b/status"), "Access-Control-Allow-Origin"));
        assertEquals("*", Http.header(http.get(dir + "/nope/status"), "Access-Control-Allow-Origin"));
        assertEquals("nosniff", Http.header(http.get(dir + "/k.b/log.br"), "X-Content-Type-Options"));
    }
}
