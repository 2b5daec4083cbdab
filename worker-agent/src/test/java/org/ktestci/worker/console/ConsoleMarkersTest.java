package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ConsoleMarkersTest {
    @Test
    void recognisesMarkersWithAndWithoutPrintkPrefix() {
        assertEquals(new Marker.TestStart("generic/001"), ConsoleMarkers.classify("========= TEST   generic/001"));
        assertEquals(new Marker.TestStart("ec"), ConsoleMarkers.classify("[    2.115858] ========= TEST   ec"));
        assertEquals(new Marker.Verdict(Marker.Kind.PASSED, "ec", "========= PASSED ec in 12s"),
                ConsoleMarkers.classify("[  123.000001]========= PASSED ec in 12s"));
        assertInstanceOf(Marker.Plain.class, ConsoleMarkers.classify("x [    2.115858] ========= TEST   ec"));
    }

    @Test
    void testsFailedTimeoutBeforeFailed() {
        assertEquals(Marker.Kind.FAILED_TIMEOUT,
                ((Marker.Verdict) ConsoleMarkers.classify("========= FAILED TIMEOUT generic/475 in 1200s")).kind());
        Marker.Verdict failed = (Marker.Verdict) ConsoleMarkers.classify("========= FAILED ec in 3s");
        assertEquals(Marker.Kind.FAILED, failed.kind());
        assertEquals("ec", failed.name());
        assertEquals(new Marker.Verdict(Marker.Kind.NOTRUN, "ec", "========= NOTRUN ec in 0s: no ec support"),
                ConsoleMarkers.classify("========= NOTRUN ec in 0s: no ec support"));
    }

    @Test
    void recognisesRunEndWatchdogMonitorAndCrashLines() {
        assertEquals(new Marker.RunEnd(true), ConsoleMarkers.classify("TEST SUCCESS"));
        assertEquals(new Marker.RunEnd(false), ConsoleMarkers.classify("[ 9.1] TEST FAILED"));
        assertEquals(new Marker.Watchdog(30), ConsoleMarkers.classify("WATCHDOG 30  "));
        assertInstanceOf(Marker.Plain.class, ConsoleMarkers.classify("WATCHDOG 30s"));
        assertEquals(new Marker.QemuMonitor("info registers"), ConsoleMarkers.classify("QEMU_MONITOR info registers"));
        assertInstanceOf(Marker.Crash.class, ConsoleMarkers.classify("[ 5.0] Kernel panic - not syncing: sysrq"));
        assertInstanceOf(Marker.Crash.class, ConsoleMarkers.classify("BUG: KASAN: use-after-free"));
        assertInstanceOf(Marker.Plain.class, ConsoleMarkers.classify("Passed: 3"));
    }

    @Test
    void splitsLinesKeepingTabsDroppingCarriageReturnsAndCuttingLongLines() throws IOException {
        byte[] longLine = "y".repeat(LineSplitter.MAX_LINE + 10).getBytes(StandardCharsets.US_ASCII);
        byte[] input = concat("a\tb\r\nno newline at end".getBytes(StandardCharsets.US_ASCII), new byte[0]);
        List<String> lines = new ArrayList<>();
        LineSplitter.split(new ByteArrayInputStream(input), b -> lines.add(new String(b, StandardCharsets.ISO_8859_1)));
        assertEquals(List.of("a\tb", "no newline at end"), lines);

        List<Integer> sizes = new ArrayList<>();
        LineSplitter.split(new ByteArrayInputStream(concat(longLine, "\n".getBytes(StandardCharsets.US_ASCII))),
                b -> sizes.add(b.length));
        assertEquals(List.of(LineSplitter.MAX_LINE, 10), sizes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
