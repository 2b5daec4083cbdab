package org.ktestci.worker.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A runner process and everything it starts: started with exactly the given environment, its output and error
 * merged and its input empty; stopped as a whole, SIGTERM to the child and all its descendants, then SIGKILL to
 * whatever is still alive after the grace period (ktest-interface.md §4).
 */
final class ProcessTree {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSupervisor.class);

    private final Process process;
    private final Duration termGrace;
    private boolean stopping;
    private Thread killer;

    private ProcessTree(Process process, Duration termGrace) {
        this.process = process;
        this.termGrace = termGrace;
    }

    /** Starts {@code argv} in {@code cwd}; throws when it cannot be started at all. */
    static ProcessTree start(List<String> argv, Map<String, String> env, Path cwd, Duration termGrace)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ProcessTree(pb.start(), termGrace);
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    long pid() {
        return process.pid();
    }

    /** The child's console: its output and error, merged. */
    InputStream console() {
        return process.getInputStream();
    }

    /** Whether {@link #stop} was called. */
    synchronized boolean stopping() {
        return stopping;
    }

    /** SIGTERM to the child and all its descendants, then SIGKILL whatever is alive after the grace period. */
    synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        LOG.info("stopping runner pid={} ({} processes)", process.pid(), tree.size());
        tree.forEach(ProcessHandle::destroy);
        killer = new Thread(() -> killAfterGrace(tree), "escalation-" + process.pid());
        killer.setDaemon(true);
        killer.start();
    }

    private void killAfterGrace(List<ProcessHandle> tree) {
        long deadline = System.nanoTime() + termGrace.toNanos();
        while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessLiveness::isRunning)) {
            if (!pause(50)) {
                break;
            }
        }
        List<ProcessHandle> late = new ArrayList<>(tree);
        late.addAll(process.descendants().toList());
        late.stream().filter(ProcessLiveness::isRunning).forEach(ProcessHandle::destroyForcibly);
        // SIGKILL is delivered asynchronously: wait (bounded) until the tree is really gone.
        long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < killDeadline && late.stream().anyMatch(ProcessLiveness::isRunning)) {
            if (!pause(10)) {
                break;
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The child's exit status; a child still running after {@code patience} is stopped first. Interrupted: the
     * child is killed and the status is -1.
     */
    int waitForExit(Duration patience) {
        try {
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                stop();
                process.waitFor();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** Waits (bounded) until a stop's TERM→KILL has run its course, so no process of the run outlives it. */
    void awaitStopped() {
        Thread k;
        synchronized (this) {
            k = killer;
        }
        if (k != null) {
            try {
                k.join(termGrace.toMillis() + 6000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
