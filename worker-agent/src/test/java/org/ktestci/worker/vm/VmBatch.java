package org.ktestci.worker.vm;

import org.eclipse.jgit.api.Git;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.qemu.QemuSettings;
import org.ktestci.worker.run.BatchExecution;
import org.ktestci.worker.run.SlotSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one batch of a {@code .ktest} file under the {@code qemu} runner, the way a worker's slot does (checkout,
 * list-tests, deps, the resume loop), and keeps what the lease would have received: verdicts, logs, run info.
 */
public final class VmBatch {
    /** A verdict as the lease receives it. */
    public record Verdict(String status, String statusLine, int iteration, int seconds) {
    }

    public final Map<String, Verdict> verdicts = Collections.synchronizedMap(new LinkedHashMap<>());
    public final Map<String, String> logs = Collections.synchronizedMap(new LinkedHashMap<>());
    public final List<String> fullLogs = Collections.synchronizedList(new ArrayList<>());
    public final List<String> runInfos = Collections.synchronizedList(new ArrayList<>());
    public BatchFinished finished;
    public double seconds;

    private final Path dir;
    private final Path ktestDir;
    private final QemuSettings qemu;
    private final String sha;

    /** {@code dir}: a temp dir for the upstream repo and the workspace; {@code ktestDir}: the worker's ktest tree. */
    public VmBatch(Path dir, Path ktestDir, QemuSettings qemu) throws Exception {
        this.dir = dir;
        this.ktestDir = ktestDir;
        this.qemu = qemu;
        Path upstream = dir.resolve("upstream");
        if (!Files.isDirectory(upstream.resolve(".git"))) {
            try (Git git = Git.init().setInitialBranch("main").setDirectory(upstream.toFile()).call()) {
                Files.writeString(upstream.resolve("README"), "x\n");
                git.add().addFilepattern("README").call();
                git.commit().setMessage("c").setSign(false).call();
            }
        }
        try (Git git = Git.open(upstream.toFile())) {
            sha = git.getRepository().resolve("HEAD").getName();
        }
    }

    /** A worker's qemu settings: the test kernel (as the worker's qemu_kernel) and a root image, if any. */
    public static QemuSettings settings(Path dir, Path kernel, Optional<Path> rootImage) {
        return settings(dir, kernel, rootImage, Path.of("qemu-system-x86_64"));
    }

    /** The same with another qemu binary (a wrapper that misbehaves, say). */
    public static QemuSettings settings(Path dir, Path kernel, Optional<Path> rootImage, Path qemuBinary) {
        return new QemuSettings(dir.resolve("store"), qemuBinary.toString(), Path.of("/bin/busybox"),
                Path.of("/bin/bash"), Optional.of(kernel), "x86_64", rootImage, dir.resolve("state/root.x86_64"),
                dir.resolve("work/module-index"));
    }

    public VmBatch run(String test, List<String> subtests, int subtestTimeoutSecs) {
        return run(test, "", subtests, subtestTimeoutSecs);
    }

    public VmBatch run(String test, String kernel, List<String> subtests, int subtestTimeoutSecs) {
        String basename = test.replaceAll("\\.ktest$", "").replace('/', '.');
        List<RunBatch.BatchSubtest> subs = subtests.stream()
                .map(n -> new RunBatch.BatchSubtest(n, basename + "." + n.replace('/', '.'), 30)).toList();
        RunBatch batch = new RunBatch("lease-vm", 1, 0, 1, "linux", sha,
                List.of(new RunBatch.Source(dir.resolve("upstream").toString(), "main")), "", test, kernel, Map.of(),
                "x86_64", subs, basename, subtestTimeoutSecs, null);
        SlotSettings slot = new SlotSettings("h1", 0, dir.resolve("work"), ktestDir, "qemu", 1 << 20, 0,
                Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5));
        LeaseSink sink = new LeaseSink() {
            public void subtestStarted(String key, int it, long at) {
            }

            public void subtestFinished(String key, String line, String status, int secs, long s0, long s1, int it,
                                        String fullLogKey) {
                verdicts.put(key, new Verdict(status, line, it, secs));
            }

            public void artifact(String key, String kind, int it, byte[] brotli) {
                String text;
                try {
                    text = new String(Brotli.decompress(brotli), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (kind.equals(LogChunk.KIND_FULL_LOG)) {
                    fullLogs.add(text);
                } else {
                    logs.put(key, text);
                }
            }

            public void runInfo(int it, String info) {
                runInfos.add(info);
            }

            public void note(String line) {
            }
        };
        long start = System.nanoTime();
        finished = new BatchExecution(batch, sink, slot, new WorkspaceCheckout(dir.resolve("work"), new long[] {10}),
                Map.of("PATH", System.getenv("PATH"), "KTEST_CI_QEMU_ACCEL", "tcg"), Optional.of(qemu)).execute();
        seconds = (System.nanoTime() - start) / 1e9;
        return this;
    }

    /** Everything the batch logged, for assertion messages. */
    public String transcript() {
        return "finished=" + finished + "\nverdicts=" + verdicts + "\n" + String.join("\n", fullLogs);
    }

    public String status(String key) {
        Verdict v = verdicts.get(key);
        return v == null ? "none" : v.status();
    }
}
