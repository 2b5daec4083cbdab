package org.ktestci.worker.console;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies console lines by the rules of ktest-interface.md §3, tried top to bottom. Matching ignores an
 * optional printk timestamp prefix ({@code [    2.115858] }), since ktest's prelude writes markers to
 * {@code /dev/kmsg} inside a VM; the logs keep the original bytes.
 */
public final class ConsoleMarkers {
    private static final Pattern PRINTK = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s?");
    private static final Pattern TEST = Pattern.compile("^========= TEST   (\\S+)");
    private static final Pattern PASSED = Pattern.compile("^========= PASSED (\\S+)");
    private static final Pattern TIMEOUT = Pattern.compile("^========= FAILED TIMEOUT (\\S+)");
    private static final Pattern FAILED = Pattern.compile("^========= FAILED (\\S+)");
    private static final Pattern NOTRUN = Pattern.compile("^========= NOTRUN (\\S+)");
    private static final Pattern WATCHDOG = Pattern.compile("^WATCHDOG (\\d+)\\s*$");
    private static final Pattern MONITOR = Pattern.compile("^QEMU_MONITOR (.+)$");

    private ConsoleMarkers() {
    }

    /** The line as matched: printk prefix removed. */
    public static String stripPrintk(String line) {
        Matcher m = PRINTK.matcher(line);
        return m.find() ? line.substring(m.end()) : line;
    }

    public static Marker classify(String rawLine) {
        String line = stripPrintk(rawLine);
        Matcher m;
        if ((m = TEST.matcher(line)).find()) {
            return new Marker.TestStart(m.group(1));
        }
        if ((m = PASSED.matcher(line)).find()) {
            return new Marker.Verdict(Marker.Kind.PASSED, m.group(1), line);
        }
        if ((m = TIMEOUT.matcher(line)).find()) {
            return new Marker.Verdict(Marker.Kind.FAILED_TIMEOUT, m.group(1), line);
        }
        if ((m = FAILED.matcher(line)).find()) {
            return new Marker.Verdict(Marker.Kind.FAILED, m.group(1), line);
        }
        if ((m = NOTRUN.matcher(line)).find()) {
            return new Marker.Verdict(Marker.Kind.NOTRUN, m.group(1), line);
        }
        if (line.startsWith("TEST SUCCESS")) {
            return new Marker.RunEnd(true);
        }
        if (line.startsWith("TEST FAILED")) {
            return new Marker.RunEnd(false);
        }
        if ((m = WATCHDOG.matcher(line)).find()) {
            try {
                return new Marker.Watchdog(Long.parseLong(m.group(1)));
            } catch (NumberFormatException e) {
                return new Marker.Watchdog(Long.MAX_VALUE / 1_000_000_000L);
            }
        }
        if ((m = MONITOR.matcher(line)).find()) {
            return new Marker.QemuMonitor(m.group(1));
        }
        if (line.contains("Kernel panic") || line.contains("BUG:") || line.contains("kernel BUG at")) {
            return new Marker.Crash();
        }
        return new Marker.Plain();
    }
}
