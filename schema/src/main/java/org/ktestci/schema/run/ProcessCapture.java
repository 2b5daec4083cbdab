package org.ktestci.schema.run;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a short helper command ({@code list-tests}, {@code deps}) with a timeout and captures its output.
 * Standard output is what the command answers (subtest names, declarations), read apart from standard error as
 * ktest reads it: ktest's {@code lib/common.sh} complains on stderr (a missing {@code cross.conf}), and those words
 * must never become subtest names.
 */
public final class ProcessCapture {
    /** {@code output}: standard output; {@code errors}: standard error, for messages. */
    public record Result(int exitCode, String output, String errors, boolean timedOut) {
        /** Both streams, for a log line about a failure. */
        public String transcript() {
            return (output.strip() + "\n" + errors.strip()).strip();
        }
    }

    private ProcessCapture() {
    }

    public static Result run(List<String> argv, Path cwd, Map<String, String> env, Duration timeout)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, new String(out.getNow(new byte[0]), StandardCharsets.UTF_8),
                        new String(err.getNow(new byte[0]), StandardCharsets.UTF_8), true);
            }
            return new Result(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + argv.get(0), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read output of " + argv.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** A thread of its own per stream: two blocking reads on the small common pool could wait on each other. */
    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.complete(new byte[0]);
            }
        }, "process-capture");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
