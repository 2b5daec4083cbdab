package org.ktestci.worker.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a process still runs. A killed process whose parent has not reaped it yet is a zombie: it uses no
 * CPU and holds no resources, but {@link ProcessHandle#isAlive()} still reports it, so read its state.
 */
public final class ProcessLiveness {
    private ProcessLiveness() {
    }

    public static boolean isRunning(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return !Files.exists(Path.of("/proc", Long.toString(p.pid()))) ? false : p.isAlive();
        }
    }
}
