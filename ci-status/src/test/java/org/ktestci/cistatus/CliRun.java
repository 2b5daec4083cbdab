package org.ktestci.cistatus;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One captured {@code ci-status} invocation: exit status, stdout (text and bytes) and stderr. */
record CliRun(int code, byte[] outBytes, String err) {
    static final Map<String, String> PLAIN_ENV = Map.of("TERM", "xterm");

    static CliRun of(boolean tty, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CiStatusMain.run(args, new Streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, tty));
        return new CliRun(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    String out() {
        return new String(outBytes, StandardCharsets.UTF_8);
    }

    /** Stdout and stderr, for assertion messages. */
    String both() {
        return "exit " + code + "\n--- stdout\n" + out() + "--- stderr\n" + err;
    }
}
