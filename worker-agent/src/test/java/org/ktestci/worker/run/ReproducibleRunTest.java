package org.ktestci.worker.run;

import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.run.ReproScript;
import org.ktestci.schema.run.RunInfo;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14 item 2 on a real host-runner batch: the run info a worker sends names the exact command, the
 * environment the runner set (and not the worker's own), the ktest revision and the worker's paths; the repro
 * script made from it, run by bash with the variables pointing elsewhere, runs the same subtest again.
 */
class ReproducibleRunTest {
    @TempDir
    Path dir;

    @Test
    void theScriptOfARealRunRunsTheSubtestAgainElsewhere() throws Exception {
        String sha;
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.resolve("upstream").toFile()).call()) {
            Files.writeString(dir.resolve("upstream/file.c"), "int x;\n");
            git.add().addFilepattern("file.c").call();
            sha = git.commit().setMessage("c1").setSign(false).call().getName();
        }
        String revision;
        try (Git ktest = Git.init().setInitialBranch("main").setDirectory(dir.resolve("ktest").toFile()).call()) {
            Path f = dir.resolve("ktest/tests/t.ktest");
            Files.createDirectories(f.getParent());
            Files.writeString(f, """
                    #!/usr/bin/env bash
                    case $1 in
                    list-tests) echo "a" ;;
                    deps) echo "ktest_no_vm=1" ;;
                    run-tests) shift; for t in "$@"; do echo "========= TEST   $t"
                        echo "x=$ktest_x file=$(cat "$ktest_deps_dir/linux/file.c") pwd=$PWD"
                        echo "========= PASSED $t in 0s"; done ;;
                    esac
                    """);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
            ktest.add().addFilepattern("tests/t.ktest").call();
            revision = ktest.commit().setMessage("k").setSign(false).call().getName();
        }
        RunBatch batch = new RunBatch("lease-1", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", "t.ktest", "",
                Map.of("ktest_x", "it's 1"), "x86_64", List.of(new RunBatch.BatchSubtest("a", "t@ktest_x=1.a", 30)),
                "t@ktest_x=1", 30, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), dir.resolve("ktest"), "host", 1 << 20, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1));
        List<String> infos = Collections.synchronizedList(new ArrayList<>());
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
            }

            public void note(String line) {
            }

            @Override
            public void runInfo(int it, String info) {
                infos.add(info);
            }
        };
        Map<String, String> agentEnv = new HashMap<>(System.getenv());
        agentEnv.put("AGENT_SECRET", "not for the run info");
        BatchFinished r = new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"),
                new long[] {10, 10, 10, 10}), agentEnv).execute();
        assertEquals(BatchOutcome.COMPLETED, r.outcome());

        RunInfo info = RunInfo.parse(infos.get(0));
        assertEquals("host", info.runner());
        assertEquals(List.of(dir.resolve("ktest/tests/t.ktest").toString(), "run-tests", "a"), info.argv());
        assertEquals(revision, info.ktestRevision());
        assertEquals("it's 1", info.env().get("ktest_x"));
        assertEquals("1", info.env().get("KTEST_SUPERVISOR"));
        assertTrue(!info.env().containsKey("AGENT_SECRET") && !info.env().containsKey("PATH"),
                "inherited variables are the worker's, not the run's: " + info.env().keySet());
        assertEquals("host", info.kernel(), "the host runner's subtests run on the worker's kernel");
        assertEquals(dir.resolve("work/slot-0/linux").toString(), info.sourceDir());

        // A developer's machine: their own checkout and scratch directory, the same ktest tree.
        Path mine = dir.resolve("mine");
        Git.cloneRepository().setURI(dir.resolve("upstream").toString()).setDirectory(mine.resolve("linux").toFile())
                .call().close();
        Files.writeString(mine.resolve("linux/file.c"), "int x;\n");
        Files.createDirectories(mine.resolve("work"));
        Files.createSymbolicLink(mine.resolve("work/linux"), mine.resolve("linux"));
        Path script = dir.resolve("repro.sh");
        Files.writeString(script, ReproScript.render(sha, "t@ktest_x=1.a", info));
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().put("LINUX", mine.resolve("linux").toString());
        pb.environment().put("WORK", mine.resolve("work").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("========= PASSED a in 0s"), out);
        assertTrue(out.contains("x=it's 1 file=int x; pwd=" + mine.resolve("work/host-run")), out);
    }
}
