package org.ktestci.worker.console;

import org.ktestci.schema.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one runner process and turns its console into per-subtest results (ktest-interface.md §4): status,
 * duration and log files under {@code results/<key>/}, {@code started}/{@code finished} events, per-subtest
 * timeouts with {@code WATCHDOG} overrides, TERM→KILL escalation of the whole process tree. Exit statuses
 * never decide verdicts; only markers do.
 */
public final class ConsoleSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSupervisor.class);
    private static final Object EOF = new Object();
    private static final Object WAKE = new Object();
    /** What our guest code prints before giving up (qemu.GuestScripts.INIT_PREFIX). */
    private static final String GUEST_INIT_PREFIX = "ktest-ci-init: ";

    /** A subtest of the batch: its name as the test prints it and its result key. */
    public record Subtest(String name, String resultKey) {}

    private enum AlarmAction { TIMEOUT, ESCALATE, NONE }

    private final List<String> argv;
    private final Map<String, String> env;
    private final Path cwd;
    private final Map<String, Subtest> byKey = new LinkedHashMap<>();
    private final String basename;
    private final Path resultsDir;
    private final SupervisorSettings settings;
    private final SupervisorListener listener;
    private final CappedLog console;
    private final long startNanos = System.nanoTime();
    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    /**
     * Bytes read but not yet processed. The reader waits when it is spent, so a guest printing faster than the
     * supervisor can work is slowed down (qemu's serial port waits) instead of filling the worker's memory.
     */
    private final java.util.concurrent.Semaphore unprocessed = new java.util.concurrent.Semaphore(UNPROCESSED_BYTES);
    private static final int UNPROCESSED_BYTES = 8 << 20;
    private static final int LINE_OVERHEAD = 64;
    private final ConsoleBudget budget;
    private long monitorRefusals;
    private static final int LOGGED_REFUSALS = 10;
    private final Set<String> reached = new HashSet<>();
    private final QemuMonitorClient monitor;

    private volatile boolean abortRequested;
    private java.util.function.Consumer<ProcessHandle> onStart = p -> { };
    private long childLines;
    /** The last few non-blank lines the child printed, and the last line of our guest code's own diagnosis. */
    private final java.util.ArrayDeque<String> lastLines = new java.util.ArrayDeque<>();
    private String lastGuestInitLine;
    private Process process;
    private Open open;
    private long alarmAt;
    private AlarmAction alarmAction = AlarmAction.TIMEOUT;
    private String endReason;
    private boolean escalated;
    private Thread escalation;

    private record Open(Subtest subtest, long openedNanos, long openedMillis, CappedLog log) {}

    /** A console line stamped when it was read, so queueing delay never skews durations. */
    private record Line(byte[] bytes, long nanos) {}

    private long lineNanos = System.nanoTime();

    public ConsoleSupervisor(List<String> argv, Map<String, String> env, Path cwd, List<Subtest> subtests,
                             String basename, Path resultsDir, int iteration, SupervisorSettings settings,
                             SupervisorListener listener) throws IOException {
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        subtests.forEach(s -> byKey.put(s.resultKey(), s));
        this.basename = basename;
        this.resultsDir = resultsDir;
        this.settings = settings;
        this.listener = listener;
        this.console = new CappedLog(resultsDir.resolve("console." + iteration), settings.logCapBytes());
        this.monitor = new QemuMonitorClient(settings.monitorSocket());
        this.budget = new ConsoleBudget(settings.console(), startNanos);
    }

    /** Keys whose status left {@code IN PROGRESS} during this run. */
    public Set<String> reached() {
        return Set.copyOf(reached);
    }

    /** Called with the child right after it starts (the qemu runner raises its OOM score). */
    public void onStart(java.util.function.Consumer<ProcessHandle> hook) {
        this.onStart = hook;
    }

    /** QEMU_MONITOR lines refused by the run's {@link MonitorPolicy}. */
    public long monitorRefusals() {
        return monitorRefusals;
    }

    /** Console lines not kept because of {@link ConsoleLimits}. */
    public long droppedLines() {
        return budget.dropped();
    }

    /** Lines the child printed (injected lines not counted). */
    public long childLines() {
        return childLines;
    }

    /**
     * Why a run reached no subtest, in one line: our guest code's own {@code ktest-ci-init:} complaint when it
     * printed one (a missing driver, an unmountable root image), else the console's last lines.
     */
    public String diagnosis() {
        if (lastGuestInitLine != null) {
            return lastGuestInitLine;
        }
        if (childLines == 0) {
            return "the runner printed nothing";
        }
        return "no test marker; the console ended with: " + String.join(" | ", lastLines);
    }

    /** Stops the run from another thread (lease revoked, agent shutting down). */
    public void abort() {
        abortRequested = true;
        lines.offer(WAKE);
    }

    /**
     * Runs the child to its end. Throws {@link IOException} only when the process cannot be started at all
     * (the caller's {@code runner_failed}).
     */
    public RunOutcome run() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("KTEST_SUPERVISOR", "1");
        process = pb.start();
        onStart.accept(process.toHandle());
        Thread reader = new Thread(() -> readConsole(process.getInputStream()), "console-reader-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        resetAlarm();
        try {
            loop();
            closeOpenAsItStands();
            int exit = waitForExit();
            if (endReason == null && settings.injectRunEndOnExit()) {
                handleLine(bytes(exit == 0 ? "TEST SUCCESS" : "TEST FAILED"));
            }
            if (endReason == null) {
                endReason = "child_exit";
            }
            Integer signal = exit > 128 && escalated ? exit - 128 : null;
            return new RunOutcome(endReason, signal == null ? exit : null, signal, elapsedSeconds());
        } finally {
            console.close();
            if (open != null) {
                open.log().close();
            }
            if (escalation != null) {
                try {
                    escalation.join(settings.termGrace().toMillis() + 6000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            if (abortRequested && endReason == null) {
                endReason = "aborted";
                note("run aborted (lease revoked or agent stopping)");
                escalate();
            }
            long waitNanos = alarmAction == AlarmAction.NONE ? TimeUnit.DAYS.toNanos(1)
                    : Math.max(0, alarmAt - System.nanoTime());
            Object item;
            try {
                item = lines.poll(waitNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abortRequested = true;
                continue;
            }
            if (item == null) {
                fireAlarm();
            } else if (item == EOF) {
                lineNanos = System.nanoTime();
                return;
            } else if (item instanceof Line line) {
                childLines++;
                lineNanos = line.nanos();
                remember(line.bytes());
                try {
                    handleLine(line.bytes(), true);
                } finally {
                    unprocessed.release(line.bytes().length + LINE_OVERHEAD);
                }
            }
        }
    }

    private void remember(byte[] raw) {
        // the guest's bytes end up in the worker's log: no control characters
        String text = ConsoleMarkers.stripPrintk(new String(raw, StandardCharsets.UTF_8)).strip()
                .replaceAll("\\p{Cntrl}", "?");
        if (text.isEmpty()) {
            return;
        }
        text = text.length() > 200 ? text.substring(0, 200) + "…" : text;
        int at = text.indexOf(GUEST_INIT_PREFIX);
        if (at >= 0) {
            lastGuestInitLine = text.substring(at);
        }
        if (lastLines.size() == 3) {
            lastLines.removeFirst();
        }
        lastLines.addLast(text);
    }

    private void fireAlarm() throws IOException {
        lineNanos = System.nanoTime();
        if (alarmAction == AlarmAction.ESCALATE) {
            note("runner did not exit after its run verdict; stopping it");
            alarmAction = AlarmAction.NONE;
            escalate();
            return;
        }
        String name = open == null ? "-" : open.subtest().name();
        long since = open == null ? elapsedSeconds() : (System.nanoTime() - open.openedNanos()) / 1_000_000_000L;
        handleLine(bytes("========= FAILED TIMEOUT " + name + " in " + since + "s"));
    }

    private void handleLine(byte[] raw) throws IOException {
        handleLine(raw, false);
    }

    /** {@code fromChild}: a console line (bounded by the budget); injected lines are always kept. */
    private void handleLine(byte[] raw, boolean fromChild) throws IOException {
        if (stopping()) {
            // The run is being stopped (fail-fast after a timeout, abort): a dying shell may still run a
            // subtest or two before the TERM it already received takes effect. Those lines are logged, but
            // their subtests stay unreached and run again in a fresh run, whatever the signal timing.
            if (!fromChild || admit(raw, false)) {
                log(raw);
            }
            return;
        }
        Marker marker = ConsoleMarkers.classify(new String(raw, StandardCharsets.ISO_8859_1));
        boolean essential = essential(marker);
        if (marker instanceof Marker.TestStart) {
            closeOpenAsItStands(); // so the next TEST line lands only in its own subtest's log
        }
        if (!fromChild || admit(raw, essential)) {
            log(raw);
        }
        if (marker instanceof Marker.TestStart t) {
            onTestStart(t.name(), raw);
        } else if (marker instanceof Marker.Verdict v) {
            onVerdict(v);
        } else if (marker instanceof Marker.RunEnd r) {
            if (endReason == null) {
                endReason = r.success() ? "success" : "failed";
                alarmAction = AlarmAction.ESCALATE;
                alarmAt = System.nanoTime() + settings.afterRunEnd().toNanos();
            }
        } else if (marker instanceof Marker.Watchdog w) {
            if (w.seconds() == 0) {
                note("WATCHDOG 0 ignored: subtests never run unbounded");
            } else if (alarmAction == AlarmAction.TIMEOUT) {
                alarmAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(w.seconds());
            }
        } else if (marker instanceof Marker.QemuMonitor q) {
            relayToMonitor(q.command());
        } else if (marker instanceof Marker.Crash && alarmAction == AlarmAction.TIMEOUT) {
            alarmAt = Math.min(alarmAt, System.nanoTime() + settings.postMortem().toNanos());
        }
    }

    /**
     * Whether a line changes what the run records — a TEST or verdict line of this batch's subtests, the run's
     * end — and so is kept whatever the console limits. Everything else a guest prints (marker-shaped lines for
     * other names included) is subject to them.
     */
    private boolean essential(Marker marker) {
        if (marker instanceof Marker.TestStart t) {
            return byKey.containsKey(key(t.name()));
        }
        if (marker instanceof Marker.Verdict v) {
            return open != null || byKey.containsKey(key(v.name())) && !reached.contains(key(v.name()));
        }
        return marker instanceof Marker.RunEnd && endReason == null;
    }

    /** The budget's decision for a child line; its notes (a drop began or ended) are always written. */
    private boolean admit(byte[] raw, boolean essential) throws IOException {
        boolean keep = budget.admit(raw.length, essential, lineNanos);
        var n = budget.takeNote();
        if (n.isPresent()) {
            note(n.get());
        }
        return keep;
    }

    /** Only what the run's {@link MonitorPolicy} allows reaches qemu's monitor; the rest is refused and counted. */
    private void relayToMonitor(String command) throws IOException {
        MonitorPolicy.Decision d = settings.monitor().check(command);
        if (d instanceof MonitorPolicy.Allowed a) {
            monitor.send(a.command(), this::noteUnchecked);
            return;
        }
        monitorRefusals++;
        String reason = ((MonitorPolicy.Refused) d).reason();
        noteBudgeted("QEMU_MONITOR refused: " + reason);
        if (monitorRefusals <= LOGGED_REFUSALS) { // a guest must not flood the worker's own log
            LOG.warn("QEMU_MONITOR refused ({}): {}{}", reason, printable(command),
                    monitorRefusals == LOGGED_REFUSALS ? " (further refusals in this run are only counted)" : "");
        }
    }

    private static String printable(String s) {
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private void onTestStart(String name, byte[] raw) throws IOException {
        String key = key(name);
        Subtest s = byKey.get(key);
        if (s == null) {
            noteBudgeted("unexpected subtest " + name);
            return;
        }
        writeStatus(key, "TEST FAILED");
        reached.add(key);
        CappedLog log = new CappedLog(resultsDir.resolve(key).resolve("log"), settings.logCapBytes());
        open = new Open(s, lineNanos, System.currentTimeMillis() - (System.nanoTime() - lineNanos) / 1_000_000, log);
        log.writeLine(prefix(), raw);
        listener.started(key, open.openedMillis());
        resetAlarm();
    }

    private void onVerdict(Marker.Verdict v) throws IOException {
        if (open != null) {
            if (!open.subtest().name().equals(v.name())) {
                noteBudgeted("verdict for " + v.name() + " while " + open.subtest().name() + " is open");
            }
            receive(open, v.line());
        } else {
            Subtest s = byKey.get(key(v.name()));
            if (s != null && !reached.contains(s.resultKey())) {
                reached.add(s.resultKey());
                long now = System.currentTimeMillis();
                writeStatus(s.resultKey(), v.line());
                AtomicFiles.writeString(resultsDir.resolve(s.resultKey()).resolve("duration"), "0");
                listener.finished(s.resultKey(), v.line(), 0, now, now);
            }
        }
        if (v.kind() == Marker.Kind.FAILED_TIMEOUT && endReason == null) {
            endReason = "timeout";
            escalate();
        } else if (alarmAction == AlarmAction.TIMEOUT) {
            resetAlarm();
        }
    }

    /** The open subtest receives {@code statusLine} as its verdict. */
    private void receive(Open o, String statusLine) throws IOException {
        open = null;
        String key = o.subtest().resultKey();
        int seconds = (int) ((lineNanos - o.openedNanos()) / 1_000_000_000L);
        o.log().close();
        writeStatus(key, statusLine);
        AtomicFiles.writeString(resultsDir.resolve(key).resolve("duration"), Integer.toString(seconds));
        listener.finished(key, statusLine, seconds, o.openedMillis(), System.currentTimeMillis());
    }

    /** Closes the open subtest without a verdict: its pessimistic {@code TEST FAILED} stands. */
    private void closeOpenAsItStands() throws IOException {
        if (open != null) {
            receive(open, "TEST FAILED");
        }
    }

    private int waitForExit() {
        try {
            if (!process.waitFor(settings.termGrace().toMillis() + settings.afterRunEnd().toMillis(),
                    TimeUnit.MILLISECONDS)) {
                escalate();
                process.waitFor();
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** SIGTERM to the child and all its descendants, then SIGKILL whatever is alive after the grace period. */
    private synchronized void escalate() {
        if (escalated) {
            return;
        }
        escalated = true;
        alarmAction = AlarmAction.NONE;
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        LOG.info("stopping runner pid={} ({} processes)", process.pid(), tree.size());
        tree.forEach(ProcessHandle::destroy);
        escalation = new Thread(() -> {
            long deadline = System.nanoTime() + settings.termGrace().toNanos();
            while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessLiveness::isRunning)) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<ProcessHandle> late = new ArrayList<>(tree);
            late.addAll(process.descendants().toList());
            late.stream().filter(ProcessLiveness::isRunning).forEach(ProcessHandle::destroyForcibly);
            // SIGKILL is delivered asynchronously: wait (bounded) until the tree is really gone.
            long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < killDeadline && late.stream().anyMatch(ProcessLiveness::isRunning)) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }, "escalation-" + process.pid());
        escalation.setDaemon(true);
        escalation.start();
    }

    /** True once escalation began for a timeout or an abort (not for the wait after a run verdict). */
    private boolean stopping() {
        return escalated && ("timeout".equals(endReason) || "aborted".equals(endReason));
    }

    private void resetAlarm() {
        alarmAction = AlarmAction.TIMEOUT;
        alarmAt = System.nanoTime() + settings.timeout().toNanos();
    }

    private void log(byte[] raw) throws IOException {
        byte[] p = prefix();
        console.writeLine(p, raw);
        console.flush();
        if (open != null) {
            open.log().writeLine(p, raw);
        }
        listener.consoleLine(new String(p, StandardCharsets.US_ASCII) + new String(raw, StandardCharsets.UTF_8));
    }

    private void note(String text) throws IOException {
        log(bytes("# supervisor: " + text));
    }

    /** A note caused by what the guest printed: subject to the console limits like the line itself. */
    private void noteBudgeted(String text) throws IOException {
        if (admit(bytes(text), false)) {
            note(text);
        }
    }

    private void noteUnchecked(String text) {
        try {
            note(text);
        } catch (IOException e) {
            LOG.warn("cannot write supervisor note: {}", e.toString());
        }
    }

    private void writeStatus(String key, String line) throws IOException {
        AtomicFiles.writeString(resultsDir.resolve(key).resolve("status"), line + "\n");
    }

    private String key(String name) {
        return basename + "." + name.replace('/', '.');
    }

    private byte[] prefix() {
        return String.format("%05d ", elapsedSeconds()).getBytes(StandardCharsets.US_ASCII);
    }

    private long elapsedSeconds() {
        return Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void readConsole(InputStream in) {
        try {
            LineSplitter.split(in, bytes -> {
                unprocessed.acquireUninterruptibly(bytes.length + LINE_OVERHEAD);
                lines.add(new Line(bytes, System.nanoTime()));
            });
        } catch (IOException e) {
            lines.add(new Line(bytes("# supervisor: console read failed: " + e.getMessage()), System.nanoTime()));
        } finally {
            lines.add(EOF);
        }
    }
}
