package org.ktestci.launcher.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator or worker in a JVM of its own, started from this test's classpath, output in a log file.
 * Fault tests kill (SIGKILL), suspend (SIGSTOP) and resume (SIGCONT) them as a crash or a partition would.
 */
final class NodeProcess implements AutoCloseable {
    static final String COORDINATOR = "org.ktestci.launcher.CoordinatorMain";
    static final String WORKER = "org.ktestci.launcher.WorkerMain";

    private final String mainClass;
    private final List<String> args;
    private final Path log;
    private final Map<String, String> env;
    private Process process;
    private int starts;

    NodeProcess(String mainClass, Path log, Map<String, String> env, String... args) {
        this.mainClass = mainClass;
        this.args = List.of(args);
        this.log = log;
        this.env = Map.copyOf(env);
    }

    NodeProcess start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Files.writeString(log, "\n==== start " + (++starts) + " ====\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = pb.start();
        return this;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    /** Restarts the process if it exited, as systemd's {@code Restart=always} would. */
    void restartIfExited() throws IOException {
        if (process != null && !process.isAlive()) {
            start();
        }
    }

    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Only the JVM itself: its test processes run on, as on a host whose agent froze. */
    void signal(String sig) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
        if (k.waitFor() != 0) {
            throw new IOException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
