package org.ktestci.worker.console;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsoleTailTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void saysWhenTheRunnerPrintedNothing() {
        assertEquals("the runner printed nothing", new ConsoleTail().diagnosis());
    }

    @Test
    void quotesTheLastThreeNonBlankLinesWithoutControlCharacters() {
        ConsoleTail t = new ConsoleTail();
        for (String line : new String[] {"one", "two", "  ", "three", "fo\u001bur"}) {
            t.add(b(line));
        }
        assertEquals(5, t.lines());
        assertEquals("no test marker; the console ended with: two | three | fo?ur", t.diagnosis());
    }

    @Test
    void prefersOurGuestCodesOwnComplaint() {
        ConsoleTail t = new ConsoleTail();
        t.add(b("[    1.0] ktest-ci-init: cannot mount the root image"));
        t.add(b("Kernel panic"));
        assertEquals("ktest-ci-init: cannot mount the root image", t.diagnosis());
    }
}
