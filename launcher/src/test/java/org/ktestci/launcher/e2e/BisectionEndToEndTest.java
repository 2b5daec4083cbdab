package org.ktestci.launcher.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.launcher.CoordinatorNode;
import org.ktestci.coordinator.TestRepos;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.launcher.e2e.FlakesEndToEndTest.test;
import static org.ktestci.launcher.e2e.LiveDashboardTest.await;
import static org.ktestci.launcher.e2e.LiveDashboardTest.ciStatus;
import static org.ktestci.launcher.e2e.LiveDashboardTest.get;

/**
 * Issue 14 item 3 on real runs: a branch is tested at one commit, then a push of many commits is tested only at its
 * head ({@code max_commits = 1}); a subtest that fails there and passed at the older tested commit is searched for
 * over the commits between, the key alone, until its first bad commit is exact.
 */
class BisectionEndToEndTest {
    /**
     * {@code reg} fails from the commit whose subject says REGRESSION on; {@code ok} always passes; {@code fl} fails
     * on its first run at each commit and passes on the next (flaky). Every run is logged to {@code ctl/runs}.
     */
    static final String SCRIPT = """
            #!/usr/bin/env bash
            ctl="%s"
            src="$(dirname "$(ls -d "$ktest_deps_dir"/*/.git | head -1)")"
            sha="$(git -C "$src" rev-parse HEAD)"
            run_one() {
                echo "$sha $1" >> "$ctl/runs"
                echo "========= TEST   $1"
                case $1 in
                    reg)
                        sleep 1
                        if [ -e "$src/REGRESSION" ] || grep -qs REGRESSION "$src/file.c"; then
                            echo "broken"; echo "========= FAILED reg in 1s"
                        else
                            echo "========= PASSED reg in 1s"
                        fi ;;
                    fl)
                        if [ -e "$ctl/$sha.fl" ]; then echo "========= PASSED fl in 0s"
                        else touch "$ctl/$sha.fl"; echo "========= FAILED fl in 0s"; fi ;;
                    ok) echo "========= PASSED ok in 0s" ;;
                esac
            }
            case $1 in
                list-tests) echo "reg ok fl" ;;
                deps) echo "ktest_no_vm=1" ;;
                run-tests) shift; for t in "$@"; do run_one "$t"; done ;;
            esac
            """;

    static Path config(Path dir, String branchKeys, String top) throws Exception {
        Path cfg = dir.resolve("ktest-ci.toml");
        Files.writeString(cfg, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir = "ktest"
                state_dir = "state"
                ci_host = "127.0.0.1"
                fetch_interval = 5
                %s
                [test_group.g]
                tests = ["fs/bi.ktest"]
                max_commits = 1
                [branch.main]
                fetch = "upstream main"
                test_groups = ["g"]
                %s
                [cluster]
                insecure_plaintext = true
                bind_host = "127.0.0.1"
                port = 0
                [http]
                bind = "127.0.0.1:0"
                [worker]
                runner = "host"
                slots = 1
                min_free_disk_gib = 0
                """.formatted(top, branchKeys));
        return cfg;
    }

    static Path scene(Path dir) throws Exception {
        Path ctl = Files.createDirectories(dir.resolve("ctl"));
        new CiFixture(dir).testFile("fs/bi.ktest", SCRIPT.formatted(ctl));
        Git.init().setDirectory(dir.resolve("repo").toFile()).call().close();
        return ctl;
    }

    @Test
    void aRegressionAmongTwelveUntestedCommitsIsPinnedInAtMostFiveJobsAcrossARestart(@TempDir Path dir)
            throws Exception {
        Path ctl = scene(dir);
        Path cfg = config(dir, "", "flake_retries = 1");
        HttpClient http = HttpClient.newHttpClient();
        List<String> middle = new ArrayList<>();
        String good;
        String head;
        String culprit;
        try (Git up = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            good = TestRepos.commit(up, "bcachefs: base", 1_700_000_000L);
            CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                    true);
            try {
                String base = "http://127.0.0.1:" + node.httpPort();
                await("reg passes at the first commit", () -> test(http, base, good, "fs.bi.reg")
                        .filter(t -> t.get("status").asText().equals("passed")));
                for (int i = 1; i <= 12; i++) {
                    middle.add(TestRepos.commit(up, i == 7 ? "bcachefs: REGRESSION in the allocator"
                            : "bcachefs: change " + i, 1_700_000_000L + 60L * i));
                }
                head = TestRepos.commit(up, "bcachefs: head", 1_700_000_000L + 60L * 13);
                culprit = middle.get(6);
                // The head fails, its re-run confirms it, and the search starts: stop the coordinator midway.
                await("a first search job has its verdict", () -> tested(http, base, middle).size() >= 1
                        ? Optional.of(true) : Optional.empty());
                assertTrue(test(http, base, head, "fs.bi.reg").orElseThrow().get("first_bad").isNull(),
                        "one run cannot pin it among 12");
            } finally {
                node.close();
            }
        }
        List<String> beforeRestart = List.copyOf(lines(ctl));
        try (CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            JsonNode found = await("the first bad commit of reg", () -> test(http, base, head, "fs.bi.reg")
                    .map(t -> t.get("first_bad")).filter(f -> !f.isNull()));
            assertEquals(culprit, found.get("sha").asText());
            assertTrue(found.get("exact").asBoolean());
            assertEquals("bcachefs: REGRESSION in the allocator", found.get("subject").asText());
            assertEquals("Dev", found.get("author").asText());
            assertEquals(List.of(middle.get(5)), List.of(found.get("good").get(0).asText()));
            // The finding can be in the index a moment before the last commit's results blob is rendered.
            List<String> tested = await("both sides of the edge in the API", () -> Optional.of(tested(http, base,
                    middle)).filter(t -> t.contains(culprit) && t.contains(middle.get(5))));
            assertTrue(tested.size() <= 5, "log2(13) + 1 jobs at most: " + tested);
            List<String> runs = lines(ctl);
            for (String line : runs) {
                String[] f = line.split(" ");
                assertTrue(!middle.contains(f[0]) || f[1].equals("reg"), "the key alone runs: " + line);
            }
            assertTrue(runs.size() > beforeRestart.size(), "the search went on after the restart");
            // The culprit's own failure says the same, and so do the pages, the history API and ci-status.
            assertEquals(culprit, test(http, base, culprit, "fs.bi.reg").orElseThrow().get("first_bad").get("sha")
                    .asText());
            String page = get(http, base + "/ci?commit=" + head).body();
            String row = page.substring(page.indexOf("data-key=\"fs.bi.reg\""));
            row = row.substring(0, row.indexOf("</tr>"));
            assertTrue(row.contains("first bad: <a href=") && row.contains(culprit.substring(0, 12))
                    && row.contains("REGRESSION in the allocator"), row);
            String history = get(http, base + "/ci?branch=main&test=%5Efs%5C.bi%5C.reg%24").body();
            assertTrue(history.contains("class=\"first-bad\""), history);
            JsonNode api = get(http, base + "/api/v1/tests/fs.bi.reg/history?branch=main").json();
            assertEquals(culprit, api.get("entries").get(0).get("first_bad").get("sha").asText(), api.toString());
            LiveDashboardTest.Cli show = ciStatus("--remote", base, "--cache-dir", dir.resolve("cache").toString(),
                    "show", head);
            assertTrue(show.out().contains("    first bad: " + culprit + " bcachefs: REGRESSION in the allocator Dev"),
                    show.out());
            assertFalse(tested(http, base, List.of(good)).isEmpty());
            // The branch's regression events (the feed's and the webhooks') carry the finding, once.
            JsonNode event = await("the finding among the branch's events", () -> {
                List<JsonNode> findings = new ArrayList<>();
                get(http, base + "/api/v1/branches/main/events").json().get("events").forEach(e -> {
                    if (e.get("type").asText().equals("first_bad_found")) {
                        findings.add(e);
                    }
                });
                return findings.size() == 1 ? Optional.of(findings.get(0)) : Optional.empty();
            });
            assertEquals(culprit, event.get("commit").get("sha").asText(), event.toString());
            assertEquals("fs.bi.reg", event.get("test").asText(), event.toString());
            assertEquals(middle.get(5), event.get("last_good_commit").asText(), event.toString());
            String feed = get(http, base + "/ci/feed?branch=main").body();
            assertTrue(feed.contains("term=\"first_bad_found\"") && feed.contains(culprit.substring(0, 12)), feed);
        }
    }

    /**
     * A merge in the range: the regression comes in on a side branch and is merged; the search goes down the side
     * branch as git bisect does and names the side branch's commit. On the same branch {@code fl} fails flakily at
     * the head and is not searched; a second branch with {@code bisect = false} and a regression of its own is not
     * searched either.
     */
    @Test
    void aMergeIsBisectedAsGitDoesAndFlakyFailuresAndBisectFalseAreNotSearched(@TempDir Path dir)
            throws Exception {
        scene(dir);
        Path cfg = config(dir, """
                [branch.off]
                fetch = "upstream2 main"
                test_groups = ["g"]
                bisect = false""", "flake_retries = 1");
        HttpClient http = HttpClient.newHttpClient();
        long t = System.currentTimeMillis() / 1000 - 100_000;
        try (Git up = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call();
             Git up2 = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream2").toFile()).call();
             CoordinatorNode node = CoordinatorNode.start(ConfigLoader.load(cfg, ConfigRole.COORDINATOR_WITH_WORKER),
                     true)) {
            String base = "http://127.0.0.1:" + node.httpPort();
            String good = file(up, "base", "bcachefs: base", t);
            String good2 = file(up2, "base2", "bcachefs: other base", t + 1);
            for (String sha : List.of(good, good2)) {
                await("reg passes at " + sha, () -> test(http, base, sha, "fs.bi.reg")
                        .filter(x -> x.get("status").asText().equals("passed")));
            }
            // main: base ─ a1 ─ a2 ─ merge ─ n1 ─ head;   side: base ─ s1 ─ s2 (REGRESSION) ─┘
            up.checkout().setCreateBranch(true).setName("side").setStartPoint(good).call();
            String s1 = file(up, "s1", "bcachefs: side one", t + 10);
            String s2 = file(up, "REGRESSION", "bcachefs: side two breaks reg", t + 20);
            up.checkout().setName("main").call();
            String a1 = file(up, "a1", "bcachefs: main one", t + 30);
            String a2 = file(up, "a2", "bcachefs: main two", t + 40);
            up.merge().include(up.getRepository().resolve("side")).setCommit(false)
                    .setFastForward(org.eclipse.jgit.api.MergeCommand.FastForwardMode.NO_FF).call();
            String merge = up.commit().setMessage("Merge branch 'side'").setAuthor(ident(t + 50))
                    .setCommitter(ident(t + 50)).setSign(false).call().getName();
            String n1 = file(up, "n1", "bcachefs: after the merge", t + 60);
            String head = file(up, "head", "bcachefs: head", t + 70);
            List<String> middle = List.of(s1, s2, a1, a2, merge, n1);
            // off: base2 ─ o1 ─ o2 (REGRESSION) ─ o3 ─ head2, bisect = false
            List<String> offMiddle = List.of(file(up2, "o1", "bcachefs: o1", t + 11),
                    file(up2, "REGRESSION", "bcachefs: o2 breaks reg", t + 21), file(up2, "o3", "bcachefs: o3", t + 31));
            String head2 = file(up2, "head2", "bcachefs: other head", t + 41);

            await("reg fails at the other branch's head, its re-run too", () -> test(http, base, head2, "fs.bi.reg")
                    .filter(x -> x.get("reruns").size() == 1));
            JsonNode found = await("the first bad commit of reg on main", () -> test(http, base, head, "fs.bi.reg")
                    .map(x -> x.get("first_bad")).filter(f -> !f.isNull()));
            assertEquals(s2, found.get("sha").asText(), "the side branch's commit, not the merge");
            assertTrue(found.get("exact").asBoolean());
            assertEquals(s1, found.get("good").get(0).asText());
            assertEquals(1, found.get("good").size());
            List<String> tested = await("s1 and s2 in the API", () -> Optional.of(tested(http, base, middle))
                    .filter(x -> x.contains(s2) && x.contains(s1)));
            assertTrue(tested.size() <= 4, tested.toString());

            JsonNode fl = await("fl flaky at the head", () -> test(http, base, head, "fs.bi.fl")
                    .filter(x -> x.get("flaky").asBoolean()));
            assertTrue(fl.get("first_bad").isNull());
            for (String sha : middle) {
                assertTrue(test(http, base, sha, "fs.bi.fl").isEmpty(), "a flaky failure is not searched: " + sha);
            }
            assertEquals(List.of(), tested(http, base, offMiddle), "bisect = false: the other branch is not searched");
            assertTrue(test(http, base, head2, "fs.bi.reg").orElseThrow().get("first_bad").isNull());
        }
    }

    private static org.eclipse.jgit.lib.PersonIdent ident(long t) {
        return new org.eclipse.jgit.lib.PersonIdent("Dev", "dev@example.org", java.time.Instant.ofEpochSecond(t),
                java.time.ZoneOffset.UTC);
    }

    /** A commit adding {@code name} (so merges never conflict) at time {@code t}. */
    private static String file(Git git, String name, String subject, long t) throws Exception {
        Files.writeString(git.getRepository().getWorkTree().toPath().resolve(name), subject + "\n");
        git.add().addFilepattern(name).call();
        return git.commit().setMessage(subject).setAuthor(ident(t)).setCommitter(ident(t)).setSign(false).call()
                .getName();
    }

    /** The commits among {@code shas} with a verdict for {@code fs.bi.reg}. */
    static List<String> tested(HttpClient http, String base, List<String> shas) {
        List<String> out = new ArrayList<>();
        for (String sha : shas) {
            if (test(http, base, sha, "fs.bi.reg").isPresent()) {
                out.add(sha);
            }
        }
        return out;
    }

    static List<String> lines(Path ctl) throws Exception {
        Path runs = ctl.resolve("runs");
        return Files.exists(runs) ? Files.readAllLines(runs) : List.of();
    }
}
