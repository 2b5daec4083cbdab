package org.ktestci.worker.run;

import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.run.ProcessCapture;
import org.ktestci.schema.run.RunInfo;
import org.ktestci.schema.run.TestListing;
import org.ktestci.schema.status.StatusParser;
import org.ktestci.worker.agent.BatchRun;
import org.ktestci.worker.agent.LeaseSink;
import org.ktestci.worker.checkout.CheckoutException;
import org.ktestci.worker.checkout.GitSource;
import org.ktestci.worker.checkout.WorkspaceCheckout;
import org.ktestci.worker.console.ConsoleSupervisor;
import org.ktestci.worker.console.RunOutcome;
import org.ktestci.worker.console.SupervisorListener;
import org.ktestci.worker.console.SupervisorSettings;
import org.ktestci.worker.qemu.QemuSettings;
import org.ktestci.worker.qemu.VmDisks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One batch on one slot (ktest-interface.md §5): prepare the workspace and check out the commit, list and
 * {@code deps} the test, then the resume loop — each iteration a fresh runner process over the subtests not yet
 * reached, one clean-and-retry on zero progress — streaming verdicts and Brotli logs to the lease.
 */
public final class BatchExecution implements BatchRun {
    private static final Logger LOG = LoggerFactory.getLogger(BatchExecution.class);
    private final RunBatch batch;
    private final LeaseSink sink;
    private final SlotSettings slot;
    private final WorkspaceCheckout checkout;
    private final Map<String, String> agentEnv;
    private final Optional<QemuSettings> qemu;
    private volatile boolean aborted;
    private volatile ConsoleSupervisor current;
    private Deps deps = Deps.parse("");
    private boolean kvm;
    /** What the qemu runner booted this iteration; none for the other runners. */
    private RunInfo.Images images = RunInfo.Images.NONE;

    public BatchExecution(RunBatch batch, LeaseSink sink, SlotSettings slot, WorkspaceCheckout checkout,
                          Map<String, String> agentEnv) {
        this(batch, sink, slot, checkout, agentEnv, Optional.empty());
    }

    public BatchExecution(RunBatch batch, LeaseSink sink, SlotSettings slot, WorkspaceCheckout checkout,
                          Map<String, String> agentEnv, Optional<QemuSettings> qemu) {
        this.batch = batch;
        this.sink = sink;
        this.slot = slot;
        this.checkout = checkout;
        this.agentEnv = Map.copyOf(agentEnv);
        this.qemu = qemu;
    }

    @Override
    public void abort() {
        aborted = true;
        ConsoleSupervisor s = current;
        if (s != null) {
            s.abort();
        }
    }

    @Override
    public BatchFinished execute() {
        SlotWorkspace workspace;
        AgentLog agentLog;
        try {
            workspace = SlotWorkspace.open(slot.slotDir());
            agentLog = new AgentLog(workspace.agentLog());
        } catch (IOException e) {
            return infra(LeaseEndReason.AGENT_ERROR, batchKeys(), List.of());
        }
        try {
            return executeIn(workspace, agentLog);
        } catch (IOException | RuntimeException e) {
            agentLog.line("error: " + e);
            sink.note("batch failed: " + e);
            return infra(LeaseEndReason.AGENT_ERROR, batchKeys(), List.of());
        }
    }

    private BatchFinished executeIn(SlotWorkspace workspace, AgentLog agentLog) throws IOException {
        Path slotDir = workspace.dir();
        agentLog.line("batch lease=" + batch.leaseId() + " epoch=" + batch.epoch() + " commit=" + batch.commit()
                + " test=" + batch.test() + " subtests=" + batch.subtests().size());
        long free = workspace.usableBytes();
        if (free < slot.minFreeDiskBytes()) {
            agentLog.line("only " + free + " bytes free in the workspace");
            return infra(LeaseEndReason.DISK_FULL, batchKeys(), List.of());
        }
        Path repoDir = slotDir.resolve(batch.repo());
        try {
            List<GitSource> sources = batch.sources().stream().map(s -> new GitSource(s.url(), s.ref())).toList();
            checkout.checkout(batch.repo(), batch.commit(), sources, batch.fallbackUrl(), repoDir, agentLog::line);
        } catch (CheckoutException e) {
            agentLog.line(e.getMessage());
            return infra(LeaseEndReason.CHECKOUT_FAILED, batchKeys(), List.of());
        }
        Path results = workspace.results();
        workspace.prepareBatch();
        for (RunBatch.BatchSubtest s : batch.subtests()) {
            AtomicFiles.writeString(results.resolve(s.resultKey()).resolve("status"), "IN PROGRESS\n");
        }
        Path testFile = slot.ktestDir().resolve("tests").resolve(batch.test());
        List<String> listed;
        try {
            listed = TestListing.list(testFile);
        } catch (IOException e) {
            agentLog.line("list-tests failed: " + e.getMessage());
            return infra(LeaseEndReason.DEPS_FAILED, batchKeys(), List.of());
        }
        List<BatchFinished.Unreached> notFound = new ArrayList<>();
        List<RunBatch.BatchSubtest> remaining = new ArrayList<>();
        for (RunBatch.BatchSubtest s : batch.subtests()) {
            if (listed.contains(s.name())) {
                remaining.add(s);
            } else {
                agentLog.line("subtest " + s.name() + " is not listed by this worker's " + batch.test());
                notFound.add(new BatchFinished.Unreached(s.resultKey(), LeaseEndReason.SUBTEST_NOT_FOUND));
            }
        }
        ProcessCapture.Result depsRun = ProcessCapture.run(List.of(testFile.toString(), "deps"), slotDir,
                RunnerCommand.baseEnv(agentEnv, slotDir, batch.env()), Duration.ofSeconds(60));
        if (depsRun.timedOut() || depsRun.exitCode() != 0) {
            agentLog.line("deps failed (" + (depsRun.timedOut() ? "timeout" : "exit " + depsRun.exitCode()) + "): "
                    + depsRun.transcript());
            return infra(LeaseEndReason.DEPS_FAILED, keysOf(remaining), notFound);
        }
        deps = Deps.parse(depsRun.output());
        Optional<String> declared = deps.arch();
        if (declared.isPresent() && !declared.get().equals(batch.arch())) {
            agentLog.line("test declares arch " + declared.get() + ", this slot is " + batch.arch());
            return new BatchFinished("", 0, 0, BatchOutcome.ARCH_MISMATCH, LeaseEndReason.ARCH_MISMATCH,
                    declared.get(), unreached(keysOf(remaining), LeaseEndReason.ARCH_MISMATCH, notFound), List.of());
        }
        long timeout = deps.timeoutSeconds().map(t -> Math.min(t, 4L * batch.subtestTimeoutSecs()))
                .orElse((long) batch.subtestTimeoutSecs());
        String runner = deps.flag("ktest_no_vm") ? "host" : runnerFor(batch.env(), slot.runner());
        if (runner.equals("qemu")) {
            QemuAdmission.Decision admitted = QemuAdmission.decide(batch, slot, qemu, deps, agentEnv, () -> aborted,
                    agentLog);
            if (admitted.refusal().isPresent()) {
                return infra(admitted.refusal().get(), keysOf(remaining), notFound);
            }
            kvm = admitted.kvm();
            if (!kvm) {
                timeout *= 4; // emulation is several times slower
            }
        }
        return resumeLoop(workspace, repoDir, remaining, notFound, runner, Duration.ofSeconds(timeout), agentLog);
    }

    private BatchFinished resumeLoop(SlotWorkspace workspace, Path repoDir, List<RunBatch.BatchSubtest> remaining,
                                     List<BatchFinished.Unreached> notFound, String runner, Duration timeout,
                                     AgentLog agentLog) throws IOException {
        Path slotDir = workspace.dir();
        Path results = workspace.results();
        List<BatchFinished.Iteration> iterations = new ArrayList<>();
        boolean cleaned = false;
        boolean qemuCrashRetried = false;
        int i = 0;
        while (!remaining.isEmpty()) {
            if (aborted) {
                return infra(LeaseEndReason.WORKER_SHUTDOWN, keysOf(remaining), notFound, iterations);
            }
            i++;
            workspace.prepareIteration();
            RunnerCommand cmd;
            try {
                cmd = command(runner, slotDir, remaining, agentLog);
            } catch (QemuLaunch.NoKernel e) {
                agentLog.line(e.getMessage());
                return infra(LeaseEndReason.NO_KERNEL, keysOf(remaining), notFound, iterations);
            } catch (QemuLaunch.NoRootImage e) {
                agentLog.line(e.getMessage());
                return infra(LeaseEndReason.NO_ROOT_IMAGE, keysOf(remaining), notFound, iterations);
            }
            agentLog.line("iteration " + i + ": " + runner + " runner, " + remaining.size() + " subtests: "
                    + String.join(" ", cmd.argv()));
            sink.runInfo(i, RunInfos.of(runner, cmd, agentEnv, images, slot.ktestDir(), repoDir, slotDir).format());
            String primary = remaining.get(0).resultKey();
            RunOutcome outcome;
            ConsoleSupervisor supervisor;
            try {
                supervisor = new ConsoleSupervisor(cmd.argv(), cmd.env(), cmd.cwd(), supervised(remaining),
                        batch.basename(), results, i, new SupervisorSettings(timeout, slot.logCapBytes(),
                        slot.afterRunEnd(), slot.termGrace(), slot.postMortem(), cmd.injectRunEndOnExit(),
                        Optional.of(workspace.ktestTmp().resolve("mon")), cmd.monitor(), slot.console()),
                        listener(i, primary, results));
                current = supervisor;
                if (runner.equals("qemu")) {
                    supervisor.onStart(BatchExecution::preferAsOomVictim);
                }
                outcome = supervisor.run();
            } catch (IOException e) {
                agentLog.line("runner could not be started: " + e.getMessage());
                workspace.dropIterationFiles();
                return infra(LeaseEndReason.RUNNER_FAILED, keysOf(remaining), notFound, iterations);
            } finally {
                current = null;
            }
            workspace.dropIterationFiles();
            iterations.add(new BatchFinished.Iteration(runner, batch.arch(), outcome.seconds(), outcome.reason()));
            if (supervisor.monitorRefusals() > 0 || supervisor.droppedLines() > 0) {
                agentLog.line("console: " + supervisor.monitorRefusals() + " QEMU_MONITOR commands refused, "
                        + supervisor.droppedLines() + " lines over the console limits dropped");
            }
            agentLog.line("iteration " + i + " ended: reason=" + outcome.reason().wireName() + " exit=" + outcome.exitText()
                    + " seconds=" + outcome.seconds());
            Set<String> reached = supervisor.reached();
            if (reached.isEmpty() && !aborted) {
                String why = "no subtest reached in iteration " + i + ": " + supervisor.diagnosis();
                agentLog.line(why);
                LOG.warn("{}: slot={} lease={} commit={} test={}", why, slot.slot(), batch.leaseId(), batch.commit(),
                        batch.test());
            }
            List<String> names = remaining.stream().map(RunBatch.BatchSubtest::name).toList();
            byte[] full = FullLog.assemble(slot, batch, i, runner, names, agentLog.drain(),
                    results.resolve("console." + i), outcome);
            sink.artifact(primary, LogChunk.KIND_FULL_LOG, i, Brotli.compress(full));
            if (runner.equals("qemu") && supervisor.childLines() == 0 && outcome.exitCode() != null
                    && outcome.exitCode() != 0) {
                // Killed by a signal before the guest printed anything: qemu itself crashed (Debian 12's qemu 7.2
                // has been seen to segfault so under TCG), not the kernel under test. One fresh VM per batch.
                if (outcome.exitCode() > 128 && !qemuCrashRetried && !aborted) {
                    qemuCrashRetried = true;
                    String why = "qemu was killed by signal " + (outcome.exitCode() - 128)
                            + " before writing to its console; retrying once in a fresh VM";
                    agentLog.line(why);
                    LOG.warn("{}: slot={} lease={} commit={} test={}", why, slot.slot(), batch.leaseId(),
                            batch.commit(), batch.test());
                    continue;
                }
                agentLog.line("qemu exited with status " + outcome.exitCode() + " before writing to its console");
                return infra(LeaseEndReason.RUNNER_FAILED, keysOf(remaining), notFound, iterations);
            }
            if (reached.isEmpty()) {
                if (aborted) {
                    return infra(LeaseEndReason.WORKER_SHUTDOWN, keysOf(remaining), notFound, iterations);
                }
                if (!cleaned) {
                    cleaned = true;
                    agentLog.line("cleaning the checkout and kernel build, then retrying");
                    workspace.cleanForRetry(repoDir);
                    continue;
                }
                return infra(LeaseEndReason.ZERO_PROGRESS, keysOf(remaining), notFound, iterations);
            }
            remaining.removeIf(s -> reached.contains(s.resultKey()));
        }
        return new BatchFinished("", 0, 0, BatchOutcome.COMPLETED, LeaseEndReason.NONE, "", notFound, iterations);
    }

    private RunnerCommand command(String runner, Path slotDir, List<RunBatch.BatchSubtest> remaining,
                                  AgentLog agentLog)
            throws IOException, QemuLaunch.NoKernel, QemuLaunch.NoRootImage {
        List<String> names = remaining.stream().map(RunBatch.BatchSubtest::name).toList();
        if ("qemu".equals(runner)) {
            QemuLaunch.Launch launch = new QemuLaunch(batch, slot, qemu.orElseThrow(), deps, kvm, agentEnv,
                    agentLog::line).prepare(slotDir, names);
            images = launch.images();
            return launch.command();
        }
        if ("host".equals(runner)) {
            return RunnerCommand.host(slot.ktestDir(), batch.test(), names, slotDir, batch.env(), agentEnv);
        }
        RunnerCommand ktest = RunnerCommand.ktest(slot.ktestDir(), batch.test(), batch.kernel(), names, slotDir,
                batch.repo(), batch.env(), agentEnv);
        // ktest builds the VM; the relay lets its guest hot-plug only the scratch disks ktest made from our deps
        int images = deps.values().getOrDefault("ktest_images", List.of()).size()
                + deps.values().getOrDefault("ktest_rw_images", List.of()).size();
        int scratch = deps.values().getOrDefault("ktest_scratch_dev_sizes", List.of()).size();
        return new RunnerCommand(ktest.argv(), ktest.cwd(), ktest.env(), ktest.injectRunEndOnExit(),
                VmDisks.ktestScratchPolicy(slotDir.toRealPath().resolve("ktest-out"), images,
                        scratch));
    }

    /**
     * A test group may choose its runner with {@code env = { ktest_runner = "qemu" }}: env is part of the result
     * key, so results of different runners never share keys (the mix ktest-interface.md §6 warns about).
     */
    static String runnerFor(Map<String, String> groupEnv, String hostDefault) {
        String wanted = groupEnv.get("ktest_runner");
        return wanted != null && List.of("ktest", "host", "qemu").contains(wanted) ? wanted : hostDefault;
    }

    /** As ktest does: the OOM killer should take a test VM before anything else on the host. */
    private static void preferAsOomVictim(ProcessHandle qemuProcess) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(qemuProcess.pid()), "oom_score_adj"), "800");
        } catch (IOException e) {
            // best effort: without it the VM is simply an ordinary OOM candidate
        }
    }

    private SupervisorListener listener(int iteration, String primary, Path results) {
        return new SupervisorListener() {
            @Override
            public void started(String key, long atMillis) {
                sink.subtestStarted(key, iteration, atMillis);
            }

            @Override
            public void consoleLine(String line) {
                sink.consoleLine(line);
            }

            @Override
            public void finished(String key, String statusLine, int seconds, long startedAt, long finishedAt) {
                sink.subtestFinished(key, statusLine, StatusParser.parse(statusLine).name(), seconds, startedAt,
                        finishedAt, iteration, primary);
                Path log = results.resolve(key).resolve("log");
                try {
                    byte[] bytes = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
                    sink.artifact(key, LogChunk.KIND_LOG, iteration, Brotli.compress(bytes));
                } catch (IOException e) {
                    sink.note("cannot upload log of " + key + ": " + e.getMessage());
                }
            }
        };
    }

    private List<ConsoleSupervisor.Subtest> supervised(List<RunBatch.BatchSubtest> subtests) {
        return subtests.stream().map(s -> new ConsoleSupervisor.Subtest(s.name(), s.resultKey())).toList();
    }

    private List<String> batchKeys() {
        return batch.subtests().stream().map(RunBatch.BatchSubtest::resultKey).toList();
    }

    private static List<String> keysOf(List<RunBatch.BatchSubtest> subtests) {
        return subtests.stream().map(RunBatch.BatchSubtest::resultKey).toList();
    }

    private BatchFinished infra(LeaseEndReason reason, List<String> keys,
                                List<BatchFinished.Unreached> alsoUnreached) {
        return infra(reason, keys, alsoUnreached, List.of());
    }

    private BatchFinished infra(LeaseEndReason reason, List<String> keys, List<BatchFinished.Unreached> alsoUnreached,
                                List<BatchFinished.Iteration> iterations) {
        return new BatchFinished("", 0, 0, BatchOutcome.INFRA_FAILURE, reason, "",
                unreached(keys, reason, alsoUnreached), iterations);
    }

    private static List<BatchFinished.Unreached> unreached(List<String> keys, LeaseEndReason reason,
                                                           List<BatchFinished.Unreached> also) {
        List<BatchFinished.Unreached> out = new ArrayList<>(also);
        Set<String> seen = new HashSet<>();
        also.forEach(u -> seen.add(u.resultKey()));
        keys.stream().filter(seen::add).forEach(k -> out.add(new BatchFinished.Unreached(k, reason)));
        return out;
    }
}
