package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page cache behind the real server: kept views, 304 on If-None-Match, gzip, and a new blob seen at once. */
class PageCacheHttpTest {
    @Test
    void aKeptCommitPageIsServedWithoutQueriesUntilABlobIsRenamedIntoOutputDir(@TempDir Path root) throws Exception {
        try (DashboardFixture fx = DashboardFixture.start(root, "")) {
            // output_dir was written just now; set its time back so pages made from it may be kept.
            Files.setLastModifiedTime(fx.out, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
            String path = "/ci?commit=" + fx.m(5);
            HttpResponse<byte[]> first = fx.http.get(path);
            assertEquals(200, first.statusCode());
            String etag = first.headers().firstValue("ETag").orElseThrow();
            // Served from the cache: no git or journal query. (A pair that straddles the 2 s age limit makes the
            // page again, so try a few pairs on a slow machine.)
            HttpResponse<byte[]> kept = null;
            boolean hit = false;
            for (int attempt = 0; attempt < 5 && !hit; attempt++) {
                fx.http.get(path);
                int calls = fx.queryCalls.get();
                kept = fx.http.get(path);
                hit = calls == fx.queryCalls.get();
            }
            assertTrue(hit, "a repeated request made no query");
            assertEquals(new String(first.body(), StandardCharsets.UTF_8), new String(kept.body(), StandardCharsets.UTF_8));

            HttpResponse<byte[]> revalidated = fx.http.get(path, "If-None-Match", etag);
            assertEquals(304, revalidated.statusCode());
            assertEquals(0, revalidated.body().length);

            HttpResponse<byte[]> zipped = fx.http.get(path, "Accept-Encoding", "gzip, deflate");
            assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
                assertEquals(new String(first.body(), StandardCharsets.UTF_8),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }

            // A verdict is projected: the blob is renamed over, output_dir's time moves, the page is made again.
            CommitResultsCodec.writeAtomically(new OutputDir(fx.out).blob(fx.m(5)), new CommitResults(fx.m(5), "",
                    List.of(new ResultEntry("k.new", Status.FAILED, 13, DashboardFixture.T0))));
            HttpResponse<byte[]> after = fx.http.get(path, "If-None-Match", etag);
            assertEquals(200, after.statusCode(), "the old tag no longer matches");
            assertTrue(new String(after.body(), StandardCharsets.UTF_8).contains("k.new"));
            assertFalse(after.headers().firstValue("ETag").orElseThrow().equals(etag));

            // The live status page is never kept.
            assertTrue(fx.http.get("/ci?status").headers().firstValue("ETag").isEmpty());
        }
    }
}
