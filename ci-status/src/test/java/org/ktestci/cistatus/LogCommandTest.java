package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogCommandTest extends ResultsFixtureTest {
    static final String RULE = "-".repeat(80) + "\n";

    private String tipRow() {
        return fx.tip().substring(0, 12) + "  2     2     0     1     1     20m      "
                + "bcachefs: fix btree iter leak on error path in the\n";
    }

    private String oldestRow() {
        return fx.oldest().substring(0, 12) + "  1     0     0     0     0     2s       bcachefs: change 1\n";
    }

    @Test
    void printsOneRowPerTestedCommitNewestFirstWithTheSubjectCutAt50() {
        assertEquals("COMMIT        PASS  FAIL  KNOWN FTRUN INPRO DURATION MESSAGE\n" + RULE + tipRow() + oldestRow(),
                fx.ok("log", "main").out());
    }

    @Test
    void jsonGivesTheBranchViewOfEveryTestedCommit() throws Exception {
        JsonNode json = new ObjectMapper().readTree(fx.ok("log", "main", "--json").out());
        assertEquals(2, json.size(), "the untested middle commit is omitted");
        JsonNode tip = json.get(0);
        assertEquals(fx.tip(), tip.get("commit").asText());
        assertEquals(ResultsFixture.TIP_MESSAGE, tip.get("message").asText());
        assertEquals(2, tip.get("passed").asInt());
        assertEquals(2, tip.get("failed").asInt());
        assertEquals(1, tip.get("notrun").asInt());
        assertEquals(1, tip.get("failed_to_run").asInt());
        assertEquals(1, tip.get("inprogress").asInt());
        assertEquals(1, tip.get("unknown").asInt());
        assertEquals(1241, tip.get("duration").asLong());
        assertEquals(0, tip.get("failed_known").asInt());
        assertEquals(10, tip.size());
        assertEquals(fx.oldest(), json.get(1).get("commit").asText());
        assertEquals(2, json.get(1).get("duration").asLong());
    }

    @Test
    void testRegexCountsOnlyMatchingKeysAndDropsCommitsWithoutThem() {
        assertEquals("COMMIT        PASS  FAIL  KNOWN FTRUN INPRO DURATION MESSAGE\n" + RULE
                        + fx.tip().substring(0, 12) + "  0     1     0     0     0     5s       "
                        + "bcachefs: fix btree iter leak on error path in the\n",
                fx.ok("log", "main", "--test", "fail_m.re$").out());
    }

    @Test
    void knownIssuesOfTheConfigAreCountedAndNamed() throws Exception {
        Files.writeString(fx.config, Files.readString(fx.config) + """

                [known_issue.more]
                test = 'fail_more$'
                url = "https://bugs.example.org/42"

                [known_issue.needs-line]
                test = '\\.fail$'
                log = "no such line in that log"
                url = "https://bugs.example.org/43"
                """);
        assertTrue(fx.ok("log", "main").out().contains(fx.tip().substring(0, 12) + "  2     2     1     1     1     "));
        assertEquals(1, new ObjectMapper().readTree(fx.ok("log", "main", "--json").out()).get(0).get("failed_known")
                .asInt());
        String show = fx.ok("show", fx.tip()).out();
        assertTrue(show.contains("demo.smoke.fail_more") && show.contains("\n    known: more https://bugs.example.org/42\n"),
                show);
        assertTrue(show.contains(" 2 failed (1 known), "), show);
        assertTrue(!show.contains("needs-line"), "its log regex finds nothing in fail's log: " + show);
    }

    @Test
    void noMatchingResultsSaysSoAndSucceeds() {
        assertEquals("No results for main\n", fx.ok("log", "main", "--test", "nothing-like-this").out());
        assertEquals("[ ]\n", fx.ok("log", "main", "--test", "nothing-like-this", "--json").out());
    }

    @Test
    void depthLimitsHowManyCommitsAreWalked() {
        assertEquals("COMMIT        PASS  FAIL  KNOWN FTRUN INPRO DURATION MESSAGE\n" + RULE + tipRow(),
                fx.ok("log", "main", "-n", "2").out());
    }

    @Test
    void aConfiguredBranchNotYetFetchedHasNoResults() {
        assertEquals("No results for alice-wip\n", fx.ok("log", "alice-wip").out());
    }

    @Test
    void otherNamesAreTriedAsHeadsThenRemotesThenAsGiven() throws Exception {
        String header = "COMMIT        PASS  FAIL  KNOWN FTRUN INPRO DURATION MESSAGE\n" + RULE;
        assertEquals(header + tipRow() + oldestRow(), fx.ok("log", "ci/main").out(), "refs/heads/ci/main");
        fx.setRef("refs/remotes/origin/next", fx.shas.get(1));
        assertEquals(header + oldestRow(), fx.ok("log", "origin/next").out(), "refs/remotes/origin/next");
        fx.setRef("refs/heads/origin/next", fx.tip());
        assertEquals(header + tipRow() + oldestRow(), fx.ok("log", "origin/next").out(), "heads before remotes");
        assertEquals(header + oldestRow(), fx.ok("log", fx.shas.get(1)).out(), "a sha as given");
        assertEquals(header + oldestRow(), fx.ok("log", "refs/remotes/origin/next").out(), "a full ref");
    }

    @Test
    void anUnresolvableNameIsAnError() {
        CliRun r = fx.run("log", "nope/nothing");
        assertEquals(1, r.code());
        assertEquals("ci-status: can't resolve 'nope/nothing' — try a full ref like 'remote/branch'\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void countsAreColouredOnlyWhenNonZeroAndAfterPadding() {
        String out = fx.ok("log", "main", "--color=always").out();
        assertTrue(out.contains(fx.tip().substring(0, 12) + "  \u001b[32m2     \u001b[0m\u001b[31m2     \u001b[0m0     1     "),
                out);
        assertTrue(out.contains(fx.oldest().substring(0, 12) + "  \u001b[32m1     \u001b[0m0     0     0     "), out);
    }

    @Test
    void aDepthBelowOneIsAUsageError() {
        CliRun r = fx.run("log", "main", "-n", "0");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("-n must be at least 1"), r.err());
    }

    @Test
    void anInvalidTestRegexIsAUsageError() {
        CliRun r = fx.run("log", "main", "--test", "(unclosed");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().startsWith("Invalid value for option '--test'"), r.err());
    }
}
