package org.ktestci.worker.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The runner's console as lines for the supervisor's thread: a reader thread splits the child's output into lines
 * ({@link LineSplitter}), stamps each when it was read (so queueing delay never skews durations), and ends with
 * {@link End}. Bytes read but not yet processed are bounded: the reader waits when they are spent, so a guest
 * printing faster than the supervisor can work is slowed down (qemu's serial port waits) instead of filling the
 * worker's memory.
 */
final class ConsoleFeed {
    sealed interface Item {}

    /** A console line and when it was read ({@link System#nanoTime}). */
    record Line(byte[] bytes, long nanos) implements Item {}

    /** The console is closed: the child and everything that held its output are gone. */
    record End() implements Item {}

    /** Nothing read: someone asked the supervisor to look at its state ({@link #wake}). */
    record Wake() implements Item {}

    private static final int UNPROCESSED_BYTES = 8 << 20;
    private static final int LINE_OVERHEAD = 64;

    private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
    private final Semaphore unprocessed = new Semaphore(UNPROCESSED_BYTES);

    /** Starts the reader thread on {@code in}. */
    void read(InputStream in, String threadName) {
        Thread reader = new Thread(() -> readAll(in), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void readAll(InputStream in) {
        try {
            LineSplitter.split(in, bytes -> {
                unprocessed.acquireUninterruptibly(bytes.length + LINE_OVERHEAD);
                items.add(new Line(bytes, System.nanoTime()));
            });
        } catch (IOException e) {
            items.add(new Line(("# supervisor: console read failed: " + e.getMessage())
                    .getBytes(StandardCharsets.ISO_8859_1), System.nanoTime()));
        } finally {
            items.add(new End());
        }
    }

    /** The next item, or null when none came within {@code nanos}. */
    Item poll(long nanos) throws InterruptedException {
        return items.poll(nanos, TimeUnit.NANOSECONDS);
    }

    /** {@code line} is processed: its bytes no longer count against the bound. */
    void processed(Line line) {
        unprocessed.release(line.bytes().length + LINE_OVERHEAD);
    }

    /** Wakes the supervisor's thread from another thread. */
    void wake() {
        items.offer(new Wake());
    }
}
