package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.OutputDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogsCommandTest extends ResultsFixtureTest {
    String sha12;

    @BeforeEach
    void setUp() throws Exception {
        sha12 = fx.tip().substring(0, 12);
    }

    @Test
    void withoutTestListsFailedTestsInByteOrderAndHowToReadOne() {
        assertEquals("2 failed tests for " + sha12 + ":\n"
                        + "  1. demo.smoke.fail (31s)\n"
                        + "  2. demo.smoke.fail_more (5s)\n"
                        + "1 failed to run:\n"
                        + "  1. demo.smoke.vm: reason unknown\n"
                        + "run: ci-status logs " + sha12 + " <test> [--full]\n",
                fx.ok("logs", fx.tip().substring(0, 8)).out());
    }

    @Test
    void aFailedToRunTestShowsTheReasonItsFallbackLogStates() throws Exception {
        Path dir = fx.output.keyDir(fx.tip(), "demo.smoke.vm");
        Files.createDirectories(dir);
        FailureReason why = new FailureReason("lease_timeout",
                List.of(new FailureReason.Attempt(3, "farm1", 2, "L3",
                        "lease_timeout", 1_700_000_000L)));
        Files.write(dir.resolve("full_log.br"), Brotli.compress(
                FailedToRunLog.render(fx.tip(), "demo.smoke.vm", why)
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("demo.smoke.vm: Failed to run: lease_timeout\n"
                        + "  attempt 3 host=farm1 slot=2 lease=L3 reason=lease_timeout at=2023-11-14T22:13:20Z\n"
                        + "full log: ci-status logs " + sha12 + " demo.smoke.vm --full\n",
                fx.ok("logs", fx.tip(), "demo.smoke.vm").out());
        assertTrue(fx.ok("logs", fx.tip()).out().contains("  1. demo.smoke.vm: lease_timeout (1 attempt: farm1:2)\n"));
        assertTrue(fx.ok("show", fx.tip()).out().contains("\n    reason: lease_timeout (1 attempt: farm1:2)\n"));
    }

    @Test
    void jsonListsFailedTestsWithDurations() throws Exception {
        JsonNode json = new ObjectMapper().readTree(fx.ok("logs", fx.tip(), "--json").out());
        assertEquals(new ObjectMapper().readTree(
                "[{\"name\": \"demo.smoke.fail\", \"duration\": 31}, {\"name\": \"demo.smoke.fail_more\", \"duration\": 5}]"),
                json);
    }

    @Test
    void severalMatchesAreListedOnStderrAndTheFirstFailedOneIsPrinted() {
        CliRun r = fx.ok("logs", fx.tip(), "smoke");
        assertEquals(ResultsFixture.FAIL_LOG, r.out());
        assertEquals("demo.smoke.fail\ndemo.smoke.fail_more\ndemo.smoke.pass\ndemo.smoke.pass_too\n"
                + "demo.smoke.skip\ndemo.smoke.slow\ndemo.smoke.vm\ndemo.smoke.weird\n", r.err());
    }

    @Test
    void anExactMatchWinsOverOtherMatches() {
        CliRun more = fx.ok("logs", fx.tip(), "demo.smoke.fail_more");
        assertEquals(ResultsFixture.FAIL_MORE_LOG, more.out());
        assertEquals("", more.err(), "a single match is not listed");
        CliRun exact = fx.ok("logs", fx.tip(), "demo.smoke.fail");
        assertEquals(ResultsFixture.FAIL_LOG, exact.out());
        assertEquals("demo.smoke.fail\ndemo.smoke.fail_more\n", exact.err());
    }

    @Test
    void withoutFailedMatchesTheFirstMatchIsPrinted() {
        assertEquals(ResultsFixture.PASS_LOG, fx.ok("logs", fx.tip(), "pass").out());
    }

    @Test
    void fullPrintsTheRunLogFollowingItsSymlink() {
        assertEquals(ResultsFixture.FULL_LOG, fx.ok("logs", fx.tip(), "demo.smoke.fail", "--full").out());
        assertEquals(ResultsFixture.FULL_LOG, fx.ok("logs", "--full", fx.tip(), "demo.smoke.pass").out());
    }

    @Test
    void aMissingLogIsAnError() {
        CliRun r = fx.run("logs", fx.tip(), "weird");
        assertEquals(1, r.code());
        assertEquals("ci-status: no log for demo.smoke.weird\n", r.err());
        assertEquals("ci-status: no log for demo.smoke.fail_more\n",
                fx.run("logs", fx.tip(), "fail_more", "--full").err());
    }

    @Test
    void aTestMatchingNoKeyIsAnError() {
        CliRun r = fx.run("logs", fx.tip(), "zzz");
        assertEquals(1, r.code());
        assertEquals("ci-status: no test matching 'zzz' in " + sha12 + "\n", r.err());
    }

    @Test
    void jsonWithATestIsAUsageError() {
        CliRun r = fx.run("--json", "logs", fx.tip(), "fail");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--json cannot be combined with <test>"), r.err());
        assertTrue(r.err().contains("Usage: ci-status logs"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void logBytesPassUnchangedWhenStdoutIsNotATty() throws Exception {
        byte[] raw = {'a', 0x1b, '[', '2', 'J', '\r', '\n', (byte) 0xff, (byte) 0xc2, (byte) 0x9b, '\t', 'z'};
        fx.writeLog(fx.tip(), "demo.smoke.weird", OutputDir.LOG, raw);
        CliRun r = fx.ok("logs", fx.tip(), "weird");
        assertArrayEquals(raw, r.outBytes());
    }

    @Test
    void logControlBytesAreEscapedOnATty() throws Exception {
        byte[] raw = {'a', 0x1b, '[', '2', 'J', '\r', '\n', (byte) 0xc2, (byte) 0x9b, '\t', 0x7f, 'z'};
        fx.writeLog(fx.tip(), "demo.smoke.weird", OutputDir.LOG, raw);
        CliRun r = fx.runOnTty(CliRun.PLAIN_ENV, "logs", fx.tip(), "weird");
        assertEquals(0, r.code(), r.both());
        assertEquals("a\\x1b[2J\\x0d\n\\xc2\\x9b\t\\x7fz", r.out());
    }
}
