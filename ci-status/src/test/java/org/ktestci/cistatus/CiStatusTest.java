package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CiStatusTest {
    @TempDir
    Path dir;

    final List<String> shas = new ArrayList<>();
    Path config;

    record Result(int code, String out, String err) {}

    Result run(String... args) {
        return run(false, args);
    }

    Result run(boolean tty, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CiStatusMain.run(args, new CiStatusMain.Io(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("TERM", "xterm"), tty));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void setUp() throws Exception {
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("repo").toFile()).call()) {
            for (int i = 0; i < 3; i++) {
                Path f = dir.resolve("repo/file.c");
                Files.writeString(f, "v" + i);
                git.add().addFilepattern("file.c").call();
                PersonIdent id = new PersonIdent(new PersonIdent("Dev", "dev@example.org"),
                        Date.from(Instant.ofEpochSecond(1_700_000_000L + 60L * i)), TimeZone.getTimeZone("UTC"));
                shas.add(git.commit().setMessage("bcachefs: change " + (i + 1) + "\n\nbody\n").setAuthor(id)
                        .setCommitter(id).setSign(false).call().getName());
            }
            RefUpdate u = git.getRepository().updateRef("refs/heads/ci/main");
            u.setNewObjectId(git.getRepository().resolve(shas.get(2)));
            u.update();
        }
        Files.createDirectories(dir.resolve("ktest/tests/demo"));
        Files.writeString(dir.resolve("ktest/tests/demo/smoke.ktest"), "#!/bin/bash\n");
        OutputDir out = new OutputDir(dir.resolve("out"));
        Files.createDirectories(out.root());
        // The newest commit has results; the middle one has none; the oldest has one.
        CommitResultsCodec.writeAtomically(out.blob(shas.get(2)), new CommitResults(shas.get(2),
                "bcachefs: change 3\n\nbody\n", List.of(
                new ResultEntry("demo.smoke.pass", Status.PASSED, 3, 1),
                new ResultEntry("demo.smoke.fail", Status.FAILED, 31, 1),
                new ResultEntry("demo.smoke.skip", Status.NOTRUN, 0, 1),
                new ResultEntry("demo.smoke.slow", Status.INPROGRESS, 0, 1))));
        CommitResultsCodec.writeAtomically(out.blob(shas.get(0)), new CommitResults(shas.get(0), "", List.of(
                new ResultEntry("demo.smoke.pass", Status.PASSED, 2, 1))));
        Files.createDirectories(out.keyDir(shas.get(2), "demo.smoke.fail"));
        Files.write(out.keyDir(shas.get(2), "demo.smoke.fail").resolve("log.br"),
                Brotli.compress("00000 ========= TEST   fail\n00000 ========= FAILED fail in 0s\n"
                        .getBytes(StandardCharsets.UTF_8)));
        config = dir.resolve("ktest-ci.toml");
        Files.writeString(config, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                [test_group.demo]
                tests = ["demo/smoke.ktest"]
                [test_group.extra]
                tests = ["demo/smoke.ktest"]
                [branch.main]
                fetch = "upstream main"
                test_groups = ["demo", "extra"]
                """);
    }

    @Test
    void branchesListsConfiguredBranchesWithTheirGroups() throws Exception {
        Result r = run("--config", config.toString(), "branches");
        assertEquals(0, r.code(), r.err());
        assertEquals(String.format("%-40s %s%n", "main", "demo, extra"), r.out());
        JsonNode json = new ObjectMapper().readTree(run("branches", "--json", "--config", config.toString()).out());
        assertEquals("main", json.get(0).get("name").asText());
        assertEquals(dir.resolve("upstream") + " main", json.get(0).get("fetch").asText());
        assertEquals("extra", json.get(0).get("test_groups").get(1).asText());
    }

    @Test
    void logPrintsOneRowPerTestedCommitNewestFirst() throws Exception {
        Result r = run("--config", config.toString(), "log", "main");
        assertEquals(0, r.code(), r.err());
        String nl = System.lineSeparator();
        assertEquals("COMMIT        PASS  FAIL  FTRUN INPRO DURATION MESSAGE" + nl + "-".repeat(80) + nl
                + shas.get(2).substring(0, 12) + "  1     1     0     1     34s      bcachefs: change 3" + nl
                + shas.get(0).substring(0, 12) + "  1     0     0     0     2s       bcachefs: change 1" + nl, r.out());
        JsonNode json = new ObjectMapper().readTree(run("--config", config.toString(), "--json", "log", "main").out());
        assertEquals(2, json.size());
        assertEquals(1, json.get(0).get("notrun").asInt());
        assertEquals(34, json.get(0).get("duration").asInt());
        assertEquals("No results for main" + nl,
                run("--config", config.toString(), "log", "main", "--test", "nomatch").out());
    }

    @Test
    void logResolvesUnconfiguredNamesAsRefsOrFailsClearly() {
        Result r = run("--config", config.toString(), "log", "no/such");
        assertEquals(1, r.code());
        assertEquals("ci-status: can't resolve 'no/such' — try a full ref like 'remote/branch'"
                + System.lineSeparator(), r.err());
        assertEquals(0, run("--config", config.toString(), "log", "main", "-n", "1").code());
    }

    @Test
    void showSortsFailuresFirstAndPrintsTheFooter() {
        Result r = run("show", shas.get(2).substring(0, 8), "--config", config.toString());
        assertEquals(0, r.code(), r.err());
        String nl = System.lineSeparator();
        assertEquals(shas.get(2) + " bcachefs: change 3" + nl + nl
                + String.format("%-60s %-12s %8s", "TEST", "STATUS", "DURATION") + nl + "-".repeat(82) + nl
                + String.format("%-60s %-12s %8s", "demo.smoke.fail", "Failed", "31s") + nl
                + String.format("%-60s %-12s %8s", "demo.smoke.slow", "In progress", "0s") + nl
                + String.format("%-60s %-12s %8s", "demo.smoke.skip", "Not run", "0s") + nl
                + String.format("%-60s %-12s %8s", "demo.smoke.pass", "Passed", "3s") + nl
                + "4 total: 1 passed, 1 failed, 1 in progress, 34s" + nl, r.out());
    }

    @Test
    void colourIsAppliedAfterPaddingOnlyWhenWanted() {
        String coloured = run("--color=always", "--config", config.toString(), "show", shas.get(2)).out();
        assertTrue(coloured.contains("\u001b[31m" + String.format("%-12s", "Failed") + "\u001b[0m"), coloured);
        String plain = run(true, "--color=never", "--config", config.toString(), "show", shas.get(2)).out();
        assertTrue(!plain.contains("\u001b["), plain);
        String auto = run(false, "--config", config.toString(), "show", shas.get(2)).out();
        assertTrue(!auto.contains("\u001b["), "auto without a tty means no colour");
    }

    @Test
    void showRejectsUnknownAndAmbiguousPrefixes() throws Exception {
        Result none = run("--config", config.toString(), "show", "ffff");
        assertEquals(1, none.code());
        assertEquals("ci-status: no test results for commit ffff" + System.lineSeparator(), none.err());
        String a = "abcd000000000000000000000000000000000001";
        String b = "abcd000000000000000000000000000000000002";
        Files.createDirectories(dir.resolve("out").resolve(a));
        Files.createDirectories(dir.resolve("out").resolve(b));
        Result amb = run("--config", config.toString(), "show", "abcd");
        assertEquals("ci-status: ambiguous commit prefix abcd (2 matches)" + System.lineSeparator(), amb.err());
    }

    @Test
    void logsListsFailedTestsAndPrintsOneLog() throws Exception {
        String sha12 = shas.get(2).substring(0, 12);
        String nl = System.lineSeparator();
        Result list = run("--config", config.toString(), "logs", shas.get(2));
        assertEquals("1 failed tests for " + sha12 + ":" + nl + "  1. demo.smoke.fail (31s)" + nl
                + "run: ci-status logs " + sha12 + " <test> [--full]" + nl, list.out());
        Result log = run("--config", config.toString(), "logs", shas.get(2), "smoke");
        assertEquals(0, log.code(), log.err());
        assertEquals("00000 ========= TEST   fail\n00000 ========= FAILED fail in 0s\n", log.out(),
                "several matches: the first Failed one is printed");
        assertTrue(log.err().contains("demo.smoke.pass"), "the matches are listed on stderr");
        Result missing = run("--config", config.toString(), "logs", shas.get(2), "demo.smoke.pass");
        assertEquals("ci-status: no log for demo.smoke.pass" + nl, missing.err());
        Result noMatch = run("--config", config.toString(), "logs", shas.get(2), "zzz");
        assertEquals("ci-status: no test matching 'zzz' in " + sha12 + nl, noMatch.err());
        assertEquals(2, run("--config", config.toString(), "--json", "logs", shas.get(2), "fail").code());
        JsonNode json = new ObjectMapper().readTree(run("--config", config.toString(), "--json", "logs",
                shas.get(2)).out());
        assertEquals("demo.smoke.fail", json.get(0).get("name").asText());
    }

    @Test
    void exitCodesForUsageConfigAndMissingOutputDir() throws Exception {
        assertEquals(2, run("--config", config.toString(), "show").code());
        assertEquals(2, run("--bogus").code());
        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "windw = 1\n");
        Result r = run("--config", bad.toString(), "branches");
        assertEquals(78, r.code());
        assertEquals(bad + ":1:1: windw: unknown key (did you mean \"window\"?)" + System.lineSeparator(), r.err());
        Path empty = dir.resolve("empty.toml");
        Files.writeString(empty, "");
        Result noMode = run("--config", empty.toString(), "branches");
        assertEquals(1, noMode.code());
        assertEquals("ci-status: no output_dir and no --remote or ci_url" + System.lineSeparator(), noMode.err());
    }

    @Test
    void untrustedTextOnATtyHasControlBytesEscaped() {
        Terminal t = new Terminal(System.out, false, true);
        assertEquals("a\\x1b[31mb\tc", t.safe("a\u001b[31mb\tc"));
        assertEquals("a\u001bb", new Terminal(System.out, false, false).safe("a\u001bb"));
    }
}
