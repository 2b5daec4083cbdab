package org.ktestci.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ktest-ci worker}: the global {@code --config} and {@code --coordinator} before or after a sub-command. */
class WorkerCliTest {
    @TempDir
    Path dir;

    private static int run(String... args) {
        CommandLine cl = new CommandLine(new WorkerMain());
        cl.setErr(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    /** A worker config without the coordinator's address (no ci_host, no cluster.seed_nodes). */
    private Path configWithoutCoordinator() throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests"));
        return Files.writeString(dir.resolve("worker.toml"), """
                ktest_dir = "%s"
                [cluster]
                insecure_plaintext = true
                [worker]
                host = "farm1"
                """.formatted(dir.resolve("ktest")));
    }

    @Test
    void checkConfigTakesTheConfigBeforeOrAfterTheSubcommand() throws Exception {
        Path cfg = configWithoutCoordinator();
        Files.writeString(cfg, "ci_host = \"ci.example.net\"\n" + Files.readString(cfg));
        assertEquals(0, run("--config", cfg.toString(), "check-config"));
        assertEquals(0, run("check-config", "--config", cfg.toString()));
    }

    @Test
    void checkConfigHonoursCoordinatorGivenOnTheCommandLine() throws Exception {
        Path cfg = configWithoutCoordinator();
        assertEquals(ConfigException.EXIT_CODE, run("check-config", "--config", cfg.toString()));
        assertEquals(0, run("check-config", "--config", cfg.toString(), "--coordinator", "ci.example.net:25520"));
        assertEquals(0, run("--coordinator", "ci.example.net:25520", "check-config", "--config", cfg.toString()));
    }
}
