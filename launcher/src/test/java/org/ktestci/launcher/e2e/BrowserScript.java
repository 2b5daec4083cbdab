package org.ktestci.launcher.e2e;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A script of {@code browser-tests/} run by node, driving headless Chromium against a real run. The scripts
 * print one line a step, collected in {@link #lines} as they come, so a test can act between steps.
 */
final class BrowserScript implements AutoCloseable {
    private static final Path SCRIPTS = Path.of("..", "browser-tests").toAbsolutePath().normalize();
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    /** Everything the script printed so far, stdout and stderr. */
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Process process;
    private final CompletableFuture<Void> reader;

    private BrowserScript(Process process) {
        this.process = process;
        this.reader = CompletableFuture.runAsync(this::readLines);
    }

    /** Skips the test (fails it under CI) unless Chromium, node and browser-tests' node_modules are here. */
    static void require() {
        boolean have = Files.isExecutable(CHROMIUM) && Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core"))
                && onPath("node");
        if (!have && System.getenv("CI") != null) {
            fail("CI must install chromium, node and `npm ci --prefix browser-tests` (see .ci/run)");
        }
        Assumptions.assumeTrue(have, "no chromium / node / browser-tests/node_modules here");
    }

    static BrowserScript start(String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", SCRIPTS.resolve(script).toString()));
        command.addAll(List.of(args));
        return new BrowserScript(new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true)
                .start());
    }

    /** Waits for the script to end (within 2 minutes) and for the last of its output; returns its exit status. */
    int awaitEnd() throws Exception {
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the browser script did not finish");
        reader.get(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** What it printed, for assertion messages. */
    String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(reading the browser's output failed: " + e + ")");
        }
    }

    private static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
