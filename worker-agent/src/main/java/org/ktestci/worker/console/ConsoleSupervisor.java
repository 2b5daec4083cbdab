package org.ktestci.worker.console;

import org.ktestci.protocol.IterationOutcome;
import org.ktestci.schema.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one runner process and turns its console into per-subtest results (ktest-interface.md §4): status,
 * duration and log files under {@code results/<key>/}, {@code started}/{@code finished} events, per-subtest
 * timeouts with {@code WATCHDOG} overrides, TERM→KILL escalation of the whole process tree. Exit statuses
 * never decide verdicts; only markers do.
 */
public final class ConsoleSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSupervisor.class);

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
    private final ConsoleFeed feed = new ConsoleFeed();
    private final ConsoleBudget budget;
    private long monitorRefusals;
    private static final int LOGGED_REFUSALS = 10;
    private final Set<String> reached = new HashSet<>();
    private final QemuMonitorClient monitor;

    private volatile boolean abortRequested;
    private Consumer<ProcessHandle> onStart = p -> { };
    private final ConsoleTail tail = new ConsoleTail();
    private ProcessTree process;
    private Open open;
    private long alarmAt;
    private AlarmAction alarmAction = AlarmAction.TIMEOUT;
    private IterationOutcome endReason;

    private record Open(Subtest subtest, long openedNanos, long openedMillis, CappedLog log) {}

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
    public void onStart(Consumer<ProcessHandle> hook) {
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
        return tail.lines();
    }

    /**
     * Why a run reached no subtest, in one line: our guest code's own {@code ktest-ci-init:} complaint when it
     * printed one (a missing driver, an unmountable root image), else the console's last lines.
     */
    public String diagnosis() {
        return tail.diagnosis();
    }

    /** Stops the run from another thread (lease revoked, agent shutting down). */
    public void abort() {
        abortRequested = true;
        feed.wake();
    }

    /**
     * Runs the child to its end. Throws {@link IOException} only when the process cannot be started at all
     * (the caller's {@code runner_failed}).
     */
    public RunOutcome run() throws IOException {
        Map<String, String> childEnv = new HashMap<>(env);
        childEnv.put("KTEST_SUPERVISOR", "1");
        process = ProcessTree.start(argv, childEnv, cwd, settings.termGrace());
        onStart.accept(process.handle());
        feed.read(process.console(), "console-reader-" + process.pid());
        resetAlarm();
        try {
            loop();
            closeOpenAsItStands();
            int exit = process.waitForExit(settings.termGrace().plus(settings.afterRunEnd()));
            if (endReason == null && settings.injectRunEndOnExit()) {
                handleLine(bytes(exit == 0 ? "TEST SUCCESS" : "TEST FAILED"));
            }
            if (endReason == null) {
                endReason = IterationOutcome.CHILD_EXIT;
            }
            Integer signal = exit > 128 && process.stopping() ? exit - 128 : null;
            return new RunOutcome(endReason, signal == null ? exit : null, signal, elapsedSeconds());
        } finally {
            console.close();
            if (open != null) {
                open.log().close();
            }
            process.awaitStopped();
        }
    }

    private void loop() throws IOException {
        while (true) {
            if (abortRequested && endReason == null) {
                endReason = IterationOutcome.ABORTED;
                note("run aborted (lease revoked or agent stopping)");
                escalate();
            }
            long waitNanos = alarmAction == AlarmAction.NONE ? TimeUnit.DAYS.toNanos(1)
                    : Math.max(0, alarmAt - System.nanoTime());
            ConsoleFeed.Item item;
            try {
                item = feed.poll(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abortRequested = true;
                continue;
            }
            if (item == null) {
                fireAlarm();
            } else if (item instanceof ConsoleFeed.End) {
                lineNanos = System.nanoTime();
                return;
            } else if (item instanceof ConsoleFeed.Line line) {
                lineNanos = line.nanos();
                tail.add(line.bytes());
                try {
                    handleLine(line.bytes(), true);
                } finally {
                    feed.processed(line);
                }
            }
        }
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
                endReason = r.success() ? IterationOutcome.SUCCESS : IterationOutcome.FAILED;
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
            endReason = IterationOutcome.TIMEOUT;
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

    /** Stops the child's whole process tree ({@link ProcessTree#stop}); no alarm fires after that. */
    private void escalate() {
        if (!process.stopping()) {
            alarmAction = AlarmAction.NONE;
            process.stop();
        }
    }

    /** True once escalation began for a timeout or an abort (not for the wait after a run verdict). */
    private boolean stopping() {
        return process.stopping() && (endReason == IterationOutcome.TIMEOUT || endReason == IterationOutcome.ABORTED);
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
}
