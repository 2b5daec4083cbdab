package org.ktestci.cistatus;

import java.io.PrintStream;
import java.util.Map;

/** The process's outside world, injectable for tests: stdout, stderr, environment, and whether stdout is a tty. */
record Streams(PrintStream out, PrintStream err, Map<String, String> env, boolean stdoutIsTty) {
}
