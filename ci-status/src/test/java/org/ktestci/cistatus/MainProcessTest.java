package org.ktestci.cistatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code main} in a real JVM: exit status through {@code System.exit}, and stdout holding nothing but output. */
class MainProcessTest {
    @TempDir
    Path dir;

    @Test
    void stdoutCarriesOnlyTheOutputEvenWithASecondLogbackXmlOnTheClasspath() throws Exception {
        ResultsFixture fx = new ResultsFixture(dir.resolve("install"));
        // The launcher runs ci-status on the coordinator's classpath, which has its own logback.xml: logback
        // then reports the duplicate on System.out unless told not to.
        Path otherConfig = Files.createDirectories(dir.resolve("other"));
        Files.writeString(otherConfig.resolve("logback.xml"), "<configuration/>\n");
        String classpath = otherConfig + File.pathSeparator + System.getProperty("java.class.path");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(List.of(java, "-cp", classpath, CiStatusMain.class.getName(),
                "--config", fx.config.toString(), "log", "main", "-n", "1", "--test", "pass_too"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ci-status did not finish");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), stderr);
        assertEquals(LogCommand.HEADER + "\n" + "-".repeat(80) + "\n" + fx.tip().substring(0, 12)
                        + "  1     0     0     0     0     20m      bcachefs: fix btree iter leak on error path in the\n",
                Files.readString(out, StandardCharsets.UTF_8));
        assertEquals("", stderr);
    }

    @Test
    void errorsLeaveThroughTheExitStatus() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                CiStatusMain.class.getName(), "--config", dir.resolve("absent.toml").toString(), "branches"))
                .redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ci-status did not finish");
        assertEquals(1, p.exitValue(), all);
        assertEquals("ci-status: no output_dir and no --remote or ci_url (" + dir.resolve("absent.toml")
                + " does not exist)\n", all);
    }
}
