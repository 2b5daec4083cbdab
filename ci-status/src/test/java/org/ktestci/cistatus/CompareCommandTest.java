package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ci-status compare} over a crafted history (issue 14 item 6): any two commits, every category. */
class CompareCommandTest extends ResultsFixtureTest {
    @BeforeEach
    void setUp() throws Exception {
        // Not the tip's parent: compare works on any two commits with results.
        fx.writeBlob(fx.oldest(), "", new ResultEntry("demo.smoke.pass", Status.PASSED, 2, 1),
                new ResultEntry("demo.smoke.fail", Status.PASSED, 10, 1),
                new ResultEntry("demo.smoke.fail_more", Status.FAILED, 5, 1),
                new ResultEntry("demo.smoke.pass_too", Status.FAILED, 30, 1),
                new ResultEntry("demo.smoke.gone", Status.PASSED, 1, 1));
    }

    @Test
    void printsEachCategoryWithBothSides() {
        String b = fx.oldest().substring(0, 12);
        String h = fx.tip().substring(0, 12);
        assertEquals("compare " + b + "..." + h + "\n"
                + "new failures (1)\n"
                + String.format("  %-60s %s%n", "demo.smoke.fail", "Passed -> Failed")
                + "fixed (1)\n"
                + String.format("  %-60s %s%n", "demo.smoke.pass_too", "Failed -> Passed")
                + "still failing (1)\n"
                + String.format("  %-60s %s%n", "demo.smoke.fail_more", "Failed -> Failed")
                + "much slower (1)\n" // fail: 10 s -> 31 s is 3 x, but not 30 s more
                + String.format("  %-60s %s%n", "demo.smoke.pass_too", "30s -> 20m")
                + "new tests (4)\n"
                + String.format("  %-60s %s%n", "demo.smoke.skip", "Not run")
                + String.format("  %-60s %s%n", "demo.smoke.slow", "In progress")
                + String.format("  %-60s %s%n", "demo.smoke.vm", "Failed to run")
                + String.format("  %-60s %s%n", "demo.smoke.weird", "Unknown")
                + "removed tests (1)\n"
                + String.format("  %-60s %s%n", "demo.smoke.gone", "Passed"),
                fx.ok("compare", b, fx.tip().substring(0, 6)).out());
    }

    @Test
    void jsonIsTheApisShape() throws Exception {
        JsonNode j = new ObjectMapper().readTree(fx.ok("--json", "compare", fx.oldest(), fx.tip()).out());
        assertEquals(fx.oldest(), j.get("base").asText());
        assertEquals("passed", j.get("new_failures").get(0).get("base").get("status").asText());
        assertEquals(31, j.get("new_failures").get(0).get("head").get("duration").asInt());
        assertEquals(1, j.get("counts").get("removed_tests").asInt());
    }
}
