package org.ktestci.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ktest-ci coordinator}: the global {@code --config} is taken before or after a sub-command. */
class CoordinatorCliTest {
    @TempDir
    Path dir;

    private static int run(String... args) {
        CommandLine cl = new CommandLine(new CoordinatorMain());
        cl.setErr(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    @Test
    void checkConfigTakesTheConfigBeforeOrAfterTheSubcommand() throws Exception {
        Path valid = new DemoInit(dir.resolve("demo")).write();
        assertEquals(0, run("--config", valid.toString(), "check-config"));
        assertEquals(0, run("check-config", "--config", valid.toString()));
        assertEquals(0, run("check-config", "--config=" + valid));

        Path broken = Files.writeString(dir.resolve("broken.toml"), "linux_repo = [\n");
        assertEquals(CoordinatorMain.EXIT_CONFIG, run("--config", broken.toString(), "check-config"));
        // The file is read (78, its errors), not refused as an unknown option (2).
        assertEquals(CoordinatorMain.EXIT_CONFIG, run("check-config", "--config", broken.toString()));
    }

    @Test
    void offlineToolsTakeTheConfigAfterTheSubcommand() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.toml"), "output_dir = 3\n");
        assertEquals(CoordinatorMain.EXIT_CONFIG, run("rebuild-projections", "--config", broken.toString()));
        assertEquals(CoordinatorMain.EXIT_CONFIG, run("import-output-dir", "--config", broken.toString()));
        assertEquals(CoordinatorMain.EXIT_CONFIG, run("dashboard", "--config", broken.toString()));
    }

    @Test
    void aSubcommandOptionBeforeTheSubcommandIsStillAUsageError() {
        assertEquals(2, run("--commit", "abc", "rebuild-projections"));
    }
}
