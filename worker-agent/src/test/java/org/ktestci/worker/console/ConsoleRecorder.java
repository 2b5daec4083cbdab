package org.ktestci.worker.console;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/** A supervisor listener for tests: keeps console lines and started/finished events, and may react to lines. */
public final class ConsoleRecorder implements SupervisorListener {
    public final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    public final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Consumer<String> onLine;
    private long bytes;

    public ConsoleRecorder() {
        this(line -> { });
    }

    public ConsoleRecorder(Consumer<String> onLine) {
        this.onLine = onLine;
    }

    @Override
    public void started(String key, long atMillis) {
        events.add("started " + key);
    }

    @Override
    public void finished(String key, String statusLine, int seconds, long startedAt, long finishedAt) {
        events.add("finished " + key + " " + statusLine);
    }

    @Override
    public void consoleLine(String line) {
        synchronized (this) {
            bytes += line.length();
        }
        lines.add(line);
        onLine.accept(line);
    }

    public synchronized long bytes() {
        return bytes;
    }

    public String text() {
        return String.join("\n", lines);
    }
}
