package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rendered commit page is reused only while every blob it was rendered from, its own or its history's, is unchanged. */
class RenderedPagesTest {
    @Test
    void aChangedBlobOfTheCommitOrOfItsHistoryRendersThePageAgain(@TempDir Path root) throws Exception {
        try (DashboardFixture fx = DashboardFixture.start(root, "")) {
            String page = fx.http.html("/ci?commit=" + fx.m(5));
            assertEquals(page, fx.http.html("/ci?commit=" + fx.m(5)), "unchanged inputs: the same page");
            assertFalse(HtmlRows.cells(page, ">k.b</a>").get(0).contains("badge"), "k.b failed first before m5");

            // m4 had no results; now k.b passed there, so m5 is where it starts failing.
            CommitResultsCodec.writeAtomically(new OutputDir(fx.out).blob(fx.m(4)), new CommitResults(fx.m(4), "",
                    List.of(new ResultEntry("k.b", Status.PASSED, 20, DashboardFixture.T0))));
            String withHistory = fx.http.html("/ci?commit=" + fx.m(5));
            assertTrue(HtmlRows.cells(withHistory, ">k.b</a>").get(0).contains("passed at " + fx.m(4).substring(0, 12)),
                    "a history blob that appeared is an input of the page");

            // The commit's own blob changes: k.a fails now.
            CommitResultsCodec.writeAtomically(new OutputDir(fx.out).blob(fx.m(5)), new CommitResults(fx.m(5), "",
                    List.of(new ResultEntry("k.a", Status.FAILED, 13, DashboardFixture.T0))));
            String rewritten = fx.http.html("/ci?commit=" + fx.m(5));
            assertEquals(List.of("failed"), HtmlRows.attributeValues(rewritten, "data-status"));
        }
    }
}
