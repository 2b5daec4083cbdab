package org.ktestci.cistatus;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ControlBytesTest {
    @Test
    void controlCharactersOtherThanTabAndNewlineBecomeHexEscapes() {
        assertEquals("a\\x1b[31mb\tc\nd\\x0d\\x00\\x7f", ControlBytes.escape("a\u001b[31mb\tc\nd\r\u0000\u007f"));
    }

    @Test
    void c1ControlsAreEscapedAsTheirUtf8BytesAndOtherTextIsKept() {
        assertEquals("x\\xc2\\x9b2Jé→ü", ControlBytes.escape("x\u009b2Jé→ü"));
    }

    @Test
    void cleanTextIsReturnedAsIs() {
        String s = "fs.bcachefs.ec@upstream_stable-default.ec_replace";
        assertSame(s, ControlBytes.escape(s));
    }

    @Test
    void aTerminalEscapesUntrustedTextOnlyOnATty() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertEquals("a\\x1bb", new Terminal(out, false, true).untrusted("a\u001bb"));
        assertEquals("a\u001bb", new Terminal(out, false, false).untrusted("a\u001bb"));
    }
}
