package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commit page of issue 15 item 5: it holds one status filter's rows (failures unless asked otherwise, all when
 * searching), at most {@link CommitRows#PAGE_SIZE} at a time, and everything works as plain links and a GET form.
 */
class CommitPagesTest {
    @Test
    void theDefaultPageHoldsTheFailuresAndCountsTheRest(@TempDir Path root) throws Exception {
        try (DashboardFixture fx = DashboardFixture.start(root, "")) {
            String html = fx.http.html("/ci?commit=" + fx.m(5));
            assertEquals(List.of("failed", "failed", "failedToRun", "failed"), HtmlRows.attributeValues(html,
                    "data-status"), "Failed and Failed to run, in byte order of their keys");
            assertTrue(html.contains("<form class=\"status-filter\" method=\"get\" action=\"/ci\"><input type=\"hidden\" "
                    + "name=\"commit\" value=\"" + fx.m(5) + "\"><label><input type=\"radio\" name=\"show\" "
                    + "value=\"failures\" checked> Failures <span class=\"count\">(4)</span></label> <label><input "
                    + "type=\"radio\" name=\"show\" value=\"passed\"> Passed <span class=\"count\">(1)</span></label> "),
                    html);
            assertTrue(html.contains("> All <span class=\"count\">(7)</span></label> <button type=\"submit\">Show"
                    + "</button></form>"));
            assertTrue(html.indexOf("<pre id=\"testlog\">") < html.indexOf("<table class=\"table results\""),
                    "the log pane is in the document before any row");
            assertFalse(html.contains("class=\"pager\""), "one page: no pager");

            String passed = fx.http.html("/ci?commit=" + fx.m(5) + "&show=passed&branch=main&user=ci");
            assertEquals(List.of("passed"), HtmlRows.attributeValues(passed, "data-status"));
            assertTrue(passed.contains("<input type=\"hidden\" name=\"user\" value=\"ci\"><input type=\"hidden\" "
                    + "name=\"commit\" value=\"" + fx.m(5) + "\"><input type=\"hidden\" name=\"branch\" value=\"main\">"));
            String searched = fx.http.html("/ci?commit=" + fx.m(5) + "&test=%5Ek%5C.%5Bab%5D");
            assertEquals(List.of("passed", "failed"), HtmlRows.attributeValues(searched, "data-status"),
                    "a search shows every matching row");
            assertTrue(searched.contains("value=\"all\" checked> All <span class=\"count\">(2)</span>"));
            String none = fx.http.html("/ci?commit=" + fx.m(5) + "&show=notrun");
            assertTrue(none.contains("<tbody></tbody></table><p class=\"no-rows\">No result is Not run.</p>"), none);

            HttpResponse<byte[]> bad = fx.http.get("/ci?commit=" + fx.m(5) + "&show=failing");
            assertEquals(400, bad.statusCode());
            assertTrue(Http.body(bad).contains("invalid show: failing (one of failures, passed, failed, notrun, "
                    + "failedToRun, inprogress, unknown, all)"), Http.body(bad));
            assertEquals(400, fx.http.get("/ci?commit=" + fx.m(5) + "&page=0").statusCode());
            assertEquals(400, fx.http.get("/ci?commit=" + fx.m(5) + "&page=x").statusCode());
            assertEquals(7, fx.http.json("/ci?commit=" + fx.m(5) + "&show=passed&page=2&format=json").get("tests")
                    .size(), "format=json is ktest's: every result, whatever show and page say");
        }
    }

    @Test
    void aLargeCommitIsPagedAndEachPageIsKeptAndRevalidatedOnItsOwn(@TempDir Path root) throws Exception {
        try (DashboardFixture fx = DashboardFixture.start(root, "")) {
            List<ResultEntry> entries = new ArrayList<>();
            for (int i = 0; i < 243; i++) {
                entries.add(new ResultEntry(String.format(Locale.ROOT, "t.%05d", i), i % 12 == 0 ? Status.FAILED
                        : Status.PASSED, 3, DashboardFixture.T0));
            }
            CommitResultsCodec.writeAtomically(new OutputDir(fx.out).blob(fx.m(5)), new CommitResults(fx.m(5), "",
                    entries));
            String base = "/ci?commit=" + fx.m(5);

            String failures = fx.http.html(base);
            assertEquals(21, HtmlRows.attributeValues(failures, "data-status").size());
            assertFalse(failures.contains("class=\"pager\""));

            String first = fx.http.html(base + "&show=passed");
            List<String> keys = HtmlRows.attributeValues(first, "data-key");
            assertEquals(CommitRows.PAGE_SIZE, keys.size());
            assertEquals("t.00001", keys.get(0));
            assertTrue(first.contains("<p class=\"pager\"><span class=\"range\">rows 1–100 of 222</span> · page 1 of 3 · <span class=\"page-first\">"
                    + "« first</span> · <span class=\"page-prev\">‹ previous</span> · <a class=\"page-next\" href=\"/ci?"
                    + "commit=" + fx.m(5) + "&amp;show=passed&amp;page=2\">next ›</a> · <a class=\"page-last\" href=\"/ci?"
                    + "commit=" + fx.m(5) + "&amp;show=passed&amp;page=3\">last »</a></p>"), first);
            String second = fx.http.html(base + "&show=passed&page=2");
            List<String> keys2 = HtmlRows.attributeValues(second, "data-key");
            assertEquals(100, keys2.size());
            assertTrue(keys2.get(0).compareTo(keys.get(99)) > 0, "pages follow each other in byte order");
            assertTrue(second.contains("<tbody data-after-key=\"" + keys.get(99) + "\" data-before-key=\""), second);
            String last = fx.http.html(base + "&show=passed&page=3");
            assertEquals(22, HtmlRows.attributeValues(last, "data-key").size());
            assertEquals(last, fx.http.html(base + "&show=passed&page=9"), "beyond the last page: the last page");
            assertTrue(first.contains("<tbody data-before-key=\"" + keys2.get(0) + "\">"));

            String all = fx.http.html(base + "&show=all&page=3");
            assertEquals(43, HtmlRows.attributeValues(all, "data-key").size());
            assertTrue(failures.length() * 2 < first.length(),
                    "a page's size follows its rows: " + failures.length() + " vs " + first.length());

            HttpResponse<byte[]> p1 = fx.http.get(base + "&show=passed");
            HttpResponse<byte[]> p2 = fx.http.get(base + "&show=passed&page=2");
            String tag1 = Http.header(p1, "ETag");
            String tag2 = Http.header(p2, "ETag");
            assertNotEquals(tag1, tag2, "each page has its own ETag");
            assertEquals(304, fx.http.get(base + "&show=passed&page=2", "If-None-Match", tag2).statusCode());
            assertEquals(200, fx.http.get(base + "&show=passed&page=2", "If-None-Match", tag1).statusCode(),
                    "another page's tag does not validate this one");
        }
    }
}
