package org.ktestci.cistatus;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsAndExitCodesTest extends ResultsFixtureTest {
    private static CliRun plain(String... args) {
        return CliRun.of(false, CliRun.PLAIN_ENV, args);
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheSubcommand() {
        String config = fx.config.toString();
        String before = plain("--json", "--config", config, "show", fx.tip()).out();
        assertEquals(before, plain("show", fx.tip(), "--config", config, "--json").out());
        assertEquals(before, plain("--config", config, "show", "--json", fx.tip()).out());
        assertTrue(before.startsWith("{"), before);
    }

    @Test
    void localIsAcceptedAsInKtestBeforeOrAfterTheSubcommand() {
        String config = fx.config.toString();
        String expected = plain("--config", config, "show", fx.tip()).out();
        CliRun before = plain("--local", "--config", config, "show", fx.tip());
        assertEquals(0, before.code(), before.both());
        assertEquals(expected, before.out());
        assertEquals(expected, plain("show", fx.tip(), "--config", config, "--local").out());
        assertEquals(0, plain("branches", "--local", "--config", config).code());
    }

    @Test
    void localNeverFallsBackToTheServer() throws Exception {
        // ci_url is set, output_dir does not exist: without --local this would be remote mode.
        Path toml = Files.writeString(dir.resolve("remote-only.toml"),
                "output_dir = \"" + dir.resolve("absent") + "\"\nci_url = \"http://127.0.0.1:9\"\n");
        CliRun r = plain("--local", "--config", toml.toString(), "branches");
        assertEquals(1, r.code(), r.both());
        assertEquals("ci-status: --local: no output_dir (output_dir " + dir.resolve("absent") + " does not exist)\n",
                r.err());
        CliRun workers = plain("workers", "--local", "--config", toml.toString());
        assertEquals(1, workers.code(), workers.both());
        assertTrue(workers.err().contains("--local reads results from output_dir only"), workers.err());
    }

    @Test
    void localAndRemoteTogetherAreAUsageError() {
        CliRun r = plain("--local", "show", fx.tip(), "--remote", "http://127.0.0.1:9", "--config", fx.config.toString());
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().startsWith("--local and --remote exclude each other"), r.err());
    }

    @Test
    void autoColoursOnlyATtyWithoutNoColorAndNotDumb() {
        String red = "\u001b[31m";
        assertFalse(fx.run("show", fx.tip()).out().contains(red), "not a tty");
        assertTrue(fx.runOnTty(Map.of("TERM", "xterm"), "show", fx.tip()).out().contains(red), "a tty");
        assertTrue(fx.runOnTty(Map.of(), "show", fx.tip()).out().contains(red), "a tty, TERM unset");
        assertFalse(fx.runOnTty(Map.of("TERM", "xterm", "NO_COLOR", ""), "show", fx.tip()).out().contains(red),
                "NO_COLOR set, even empty");
        assertFalse(fx.runOnTty(Map.of("TERM", "dumb"), "show", fx.tip()).out().contains(red), "TERM=dumb");
        assertFalse(fx.runOnTty(Map.of("TERM", "xterm"), "show", fx.tip(), "--color=never").out().contains(red));
        assertTrue(fx.run("--color", "always", "show", fx.tip()).out().contains(red));
        assertTrue(fx.run("--color=ALWAYS", "show", fx.tip()).out().contains(red));
    }

    @Test
    void anUnknownColourModeIsAUsageError() {
        CliRun r = fx.run("--color=sometimes", "branches");
        assertEquals(2, r.code(), r.both());
        assertTrue(r.err().contains("--color"), r.err());
    }

    @Test
    void helpAndVersionSucceedBeforeAndAfterTheSubcommand() {
        CliRun help = plain("-h");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: ci-status"), help.out());
        assertTrue(help.out().contains("workers"), help.out());
        CliRun logHelp = plain("log", "--help");
        assertEquals(0, logHelp.code());
        assertTrue(logHelp.out().startsWith("Usage: ci-status log"), logHelp.out());
        CliRun version = plain("-V");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("ci-status (ktest-ci) "), version.out());
        assertEquals(version.out(), plain("show", "--version").out());
    }

    @Test
    void usageErrorsExitTwoWithUsageOnStderr() {
        for (String[] args : new String[][] {{}, {"--bogus", "branches"}, {"show"}, {"frobnicate"},
                {"logs", "a", "b", "c"}}) {
            CliRun r = plain(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.both());
            assertTrue(r.err().contains("Usage: ci-status"), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void anInvalidConfigExits78WithEveryErrorOnItsOwnLine() throws Exception {
        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "windw = 1\nuser = \"Bad\"\n");
        CliRun r = plain("--config", bad.toString(), "log", "main");
        assertEquals(78, r.code(), r.both());
        String[] lines = r.err().split("\n");
        assertEquals(2, lines.length, r.err());
        assertEquals(bad + ":1:1: windw: unknown key (did you mean \"window\"?)", lines[0]);
        assertTrue(lines[1].startsWith(bad + ":2:1: user: "), lines[1]);
        assertEquals("", r.out());
        assertEquals(78, plain("--config", bad.toString(), "--remote", "https://ci.example.net", "show", "abcd")
                .code(), "an existing file must be valid in remote mode too");
    }

    @Test
    void withoutOutputDirOrRemoteThereIsNoMode() throws Exception {
        Path noOutput = dir.resolve("no-output.toml");
        Files.writeString(noOutput, "user = \"ci\"\n");
        CliRun r = plain("--config", noOutput.toString(), "branches");
        assertEquals(1, r.code(), r.both());
        assertEquals("ci-status: no output_dir and no --remote or ci_url\n", r.err());
        Path missing = dir.resolve("missing.toml");
        assertEquals("ci-status: no output_dir and no --remote or ci_url (" + missing + " does not exist)\n",
                plain("--config", missing.toString(), "branches").err());
        Path gone = dir.resolve("gone.toml");
        Files.writeString(gone, "output_dir = \"out-gone\"\n");
        assertEquals("ci-status: no output_dir and no --remote or ci_url (output_dir " + dir.resolve("out-gone")
                + " does not exist)\n", plain("--config", gone.toString(), "branches").err());
    }

    @Test
    void workersNeedsAServerUrl() {
        CliRun r = fx.run("workers");
        assertEquals(1, r.code());
        assertEquals("ci-status: workers needs --remote or ci_url\n", r.err());
        CliRun down = fx.run("workers", "--remote", "http://127.0.0.1:1");
        assertEquals(1, down.code(), down.both());
        assertTrue(down.err().startsWith("ci-status: http://127.0.0.1:1: "), down.err());
    }

    @Test
    void verdictIsAGitBisectPredicate() {
        CliRun pass = fx.run("verdict", fx.tip(), "demo.smoke.pass");
        assertEquals(0, pass.code(), pass.both());
        assertEquals("demo.smoke.pass Passed\n", pass.out());
        assertEquals(1, fx.run("verdict", fx.tip(), "demo.smoke.fail").code(), "exact key wins over substrings");
        assertEquals(125, fx.run("verdict", fx.tip(), "smoke.slow").code(), "in progress: skip this commit");
        assertEquals(125, fx.run("verdict", fx.tip(), "smoke.vm").code(), "failed to run: skip this commit");
        assertEquals(125, fx.run("verdict", fx.shas.get(1), "demo.smoke.pass").code(), "untested commit");
        assertEquals(125, fx.run("verdict", fx.oldest(), "nonexistent").code());
        assertEquals(2, fx.run("verdict", fx.tip(), "pass").code(), "ambiguous test names are a usage error");
    }
}
