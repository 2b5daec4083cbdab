package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShowCommandTest extends ResultsFixtureTest {
    static final String HEADER = "TEST                                                         STATUS       DURATION\n"
            + "-".repeat(82) + "\n";

    private static String row(String name, String status, String duration) {
        return String.format("%-60s %-12s %8s\n", name, status, duration);
    }

    private String fullTipOutput() {
        return fx.tip() + " bcachefs: fix btree iter leak on error path in the journal reclaim code\n\n" + HEADER
                + row("demo.smoke.fail", "Failed", "31s")
                + row("demo.smoke.fail_more", "Failed", "5s")
                + row("demo.smoke.slow", "In progress", "0s")
                + row("demo.smoke.skip", "Not run", "0s")
                + row("demo.smoke.weird", "Unknown", "2s")
                + row("demo.smoke.vm", "Failed to run", "0s")
                + row("demo.smoke.pass", "Passed", "3s")
                + row("demo.smoke.pass_too", "Passed", "1200s")
                + "8 total: 2 passed, 2 failed, 1 in progress, 20m\n";
    }

    @Test
    void fullShaPrintsSubjectRowsSortedByStatusThenKeyAndFooter() {
        assertEquals(fullTipOutput(), fx.ok("show", fx.tip()).out());
    }

    @Test
    void reRunsBesideAFailedLogSayWhetherTheFailureIsFlaky() throws Exception {
        fx.writeLog(fx.tip(), "demo.smoke.fail", "rerun-1.log.br",
                "========= TEST   fail\nok now\n========= PASSED fail in 2s\n".getBytes());
        fx.writeLog(fx.tip(), "demo.smoke.fail_more", "rerun-1.log.br", "========= FAILED fail_more in 1s\n".getBytes());
        fx.writeLog(fx.tip(), "demo.smoke.fail_more", "rerun-2.log.br", "========= FAILED fail_more in 1s\n".getBytes());
        fx.writeLog(fx.tip(), "demo.smoke.pass", "rerun-1.log.br", "========= PASSED pass in 1s\n".getBytes());
        String out = fx.ok("show", fx.tip()).out();
        assertTrue(out.contains(row("demo.smoke.fail", "Failed", "31s") + "    flaky: 1 of 1 re-run passed\n"), out);
        assertTrue(out.contains(row("demo.smoke.fail_more", "Failed", "5s") + "    re-run 2×, failed each time\n"),
                out);
        assertTrue(out.contains(row("demo.smoke.pass", "Passed", "3s") + row("demo.smoke.pass_too", "Passed",
                "1200s")), "only failures have re-runs: " + out);
        JsonNode json = new ObjectMapper().readTree(fx.ok("show", fx.tip(), "--json").out());
        for (JsonNode t : json.get("tests")) {
            if (t.get("name").asText().equals("demo.smoke.fail")) {
                assertEquals(1, t.get("reruns").get("runs").asInt());
                assertEquals(1, t.get("reruns").get("passed").asInt());
                assertTrue(t.get("reruns").get("flaky").asBoolean());
            }
        }
    }

    @Test
    void aPrefixOfFourOrMoreHexDigitsFindsTheSameCommit() {
        assertEquals(fullTipOutput(), fx.ok("show", fx.tip().substring(0, 7)).out());
        assertEquals(fullTipOutput(), fx.ok("show", fx.tip().substring(0, 4)).out());
    }

    @Test
    void aBlobWithoutMessageStartsWithTheHeader() {
        assertEquals(HEADER + row("demo.smoke.pass", "Passed", "2s") + "1 total: 1 passed, 0 failed, 0 in progress, 2s\n",
                fx.ok("show", fx.oldest()).out());
    }

    @Test
    void testRegexKeepsOnlyMatchingRowsAndCountsThemInTheFooter() {
        String out = fx.ok("show", fx.tip(), "--test", "fail").out();
        assertTrue(out.endsWith(HEADER + row("demo.smoke.fail", "Failed", "31s")
                + row("demo.smoke.fail_more", "Failed", "5s") + "2 total: 0 passed, 2 failed, 0 in progress, 36s\n"),
                out);
    }

    @Test
    void jsonGivesCommitMessageAndTestsSortedByName() throws Exception {
        JsonNode json = new ObjectMapper().readTree(fx.ok("show", fx.tip().substring(0, 10), "--json").out());
        assertEquals(fx.tip(), json.get("commit").asText());
        assertEquals(ResultsFixture.TIP_MESSAGE, json.get("message").asText());
        JsonNode tests = json.get("tests");
        assertEquals(8, tests.size());
        assertEquals("demo.smoke.fail", tests.get(0).get("name").asText());
        assertEquals("Failed", tests.get(0).get("status").asText());
        assertEquals(31, tests.get(0).get("duration").asLong());
        assertEquals("demo.smoke.vm", tests.get(6).get("name").asText());
        assertEquals("Failed to run", tests.get(6).get("status").asText());
        assertEquals("demo.smoke.weird", tests.get(7).get("name").asText());
        assertEquals("Unknown", tests.get(7).get("status").asText());
    }

    @Test
    void anUnknownPrefixIsAnError() {
        CliRun r = fx.run("show", "0000000");
        assertEquals(1, r.code());
        assertEquals("ci-status: no test results for commit 0000000\n", r.err());
        assertEquals("ci-status: no test results for commit abc\n", fx.run("show", "abc").err(),
                "fewer than 4 hex digits never match");
        assertEquals("ci-status: no test results for commit main\n", fx.run("show", "main").err());
    }

    @Test
    void aPrefixOfSeveralCommitsIsAmbiguous() throws Exception {
        Files.createDirectories(fx.output.commitDir("abcd" + "0".repeat(35) + "1"));
        Files.createDirectories(fx.output.commitDir("abcd" + "0".repeat(35) + "2"));
        Files.write(fx.output.root().resolve("abcd" + "0".repeat(35) + "3.capnp"), new byte[0]);
        CliRun r = fx.run("show", "abcd");
        assertEquals(1, r.code());
        assertEquals("ci-status: ambiguous commit prefix abcd (3 matches)\n", r.err());
    }

    @Test
    void aCommitDirectoryWithoutBlobHasNoResults() throws Exception {
        String sha = "abcd" + "0".repeat(36);
        Files.createDirectories(fx.output.commitDir(sha));
        assertEquals("ci-status: no test results for commit abcd0\n", fx.run("show", "abcd0").err());
    }

    @Test
    void aCorruptBlobIsAnErrorNotACrash() throws Exception {
        String sha = "beef" + "0".repeat(36);
        Files.write(fx.output.blob(sha), new byte[] {1, 2, 3});
        CliRun r = fx.run("show", sha);
        assertEquals(1, r.code(), r.both());
        assertTrue(r.err().startsWith("ci-status: ") && r.err().contains("corrupt results blob"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void untrustedSubjectAndKeysHaveControlBytesEscapedOnATtyOnly() throws Exception {
        String sha = fx.shas.get(1);
        fx.writeBlob(sha, "evil\u001b]0;pwned\u0007 subject\n", new ResultEntry(
                "demo.smoke.\u001b[2J", Status.PASSED, 1, 1));
        String footer = "1 total: 1 passed, 0 failed, 0 in progress, 1s\n";
        assertEquals(sha + " evil\\x1b]0;pwned\\x07 subject\n\n" + HEADER
                        + row("demo.smoke.\\x1b[2J", "Passed", "1s") + footer,
                fx.runOnTty(Map.of("TERM", "dumb"), "show", sha).out());
        assertEquals(sha + " evil\u001b]0;pwned\u0007 subject\n\n" + HEADER
                + row("demo.smoke.\u001b[2J", "Passed", "1s") + footer, fx.ok("show", sha).out());
    }

    @Test
    void statusesAreColouredAfterPadding() {
        String out = fx.ok("show", fx.tip(), "--color=always").out();
        assertTrue(out.contains(String.format("%-60s ", "demo.smoke.fail") + "\u001b[31mFailed      \u001b[0m      31s\n"),
                out);
        assertTrue(out.contains("\u001b[33mIn progress \u001b[0m"), out);
        assertTrue(out.contains("\u001b[2mNot run     \u001b[0m"), out);
        assertTrue(out.contains("\u001b[2mUnknown     \u001b[0m"), out);
        assertTrue(out.contains("\u001b[2mFailed to run\u001b[0m"), out);
        assertTrue(out.contains("\u001b[32mPassed      \u001b[0m"), out);
    }
}
