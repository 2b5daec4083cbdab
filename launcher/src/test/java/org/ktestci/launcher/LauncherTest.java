package org.ktestci.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution's launcher (dist/src/bin/ktest-ci) and the bash completion generated from {@link LauncherCommand}:
 * global options before or after the command word, and TAB completing them after sub-commands.
 */
class LauncherTest {
    /** The launcher as the distribution ships it (surefire runs in the module directory). */
    private static final Path LAUNCHER = Path.of("..", "dist", "src", "bin", "ktest-ci");

    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private static Result exec(List<String> command, Path cwd, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "did not finish: " + command);
        return new Result(p.exitValue(), out);
    }

    /** Runs the launcher with a java that prints its arguments after the classpath: the program and its args. */
    private Result launch(String... args) throws Exception {
        Path home = dir.resolve("home");
        if (!Files.exists(home)) {
            Files.createDirectories(home.resolve("bin"));
            Files.createDirectories(home.resolve("lib"));
            Files.copy(LAUNCHER, home.resolve("bin/ktest-ci"));
            Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
            Files.writeString(java, "#!/usr/bin/env bash\nwhile [ \"$1\" != -cp ]; do shift; done\nshift 2\n"
                    + "printf '%s\\n' \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> command = new ArrayList<>(List.of("bash", home.resolve("bin/ktest-ci").toString()));
        command.addAll(List.of(args));
        return exec(command, dir, "JAVA_HOME", dir.resolve("jdk").toString());
    }

    private static String lines(String... words) {
        return String.join("\n", words) + "\n";
    }

    @Test
    void optionsBeforeTheCommandWordReachTheProgramAfterIt() throws Exception {
        assertEquals(new Result(0, lines("org.ktestci.launcher.CoordinatorMain", "--config", "/c.toml",
                "check-config")), launch("--config", "/c.toml", "coordinator", "check-config"));
        assertEquals(new Result(0, lines("org.ktestci.cistatus.CiStatusMain", "--json", "--remote", "http://ci",
                "--local", "log", "master")), launch("--json", "--remote", "http://ci", "status", "--local", "log",
                "master"));
        assertEquals(new Result(0, lines("org.ktestci.launcher.CoordinatorMain", "dashboard", "--config", "/c.toml")),
                launch("--config", "/c.toml", "dashboard"));
        assertEquals(new Result(0, lines("org.ktestci.launcher.WorkerMain", "--coordinator", "ci:25520", "--config",
                "/w.toml", "check-config")), launch("--coordinator", "ci:25520", "worker", "--config", "/w.toml",
                "check-config"));
        // A value that looks like a command word is still the option's value.
        assertEquals(new Result(0, lines("org.ktestci.launcher.CoordinatorMain", "--config", "worker",
                "check-config")), launch("--config", "worker", "coordinator", "check-config"));
    }

    @Test
    void versionAndHelpNeedNoCommand() throws Exception {
        assertEquals(new Result(0, lines("org.ktestci.launcher.CoordinatorMain", "--version")), launch("-V"));
        assertEquals(new Result(0, lines("org.ktestci.launcher.CoordinatorMain", "--version")), launch("--version"));
        Result help = launch("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("ktest-ci launcher of the distribution"), help.out());
    }

    @Test
    void optionsWithoutACommandAreAUsageError() throws Exception {
        Result r = launch("--config", "/c.toml");
        assertEquals(2, r.code());
        assertTrue(r.out().startsWith("ktest-ci: a command must follow --config /c.toml"), r.out());
        assertEquals(2, launch("--config").code());
    }

    /**
     * The launcher must know which options before the command take a value (to skip over it): every global option
     * of the three programs that takes one is in its list.
     */
    @Test
    void theLauncherKnowsEveryGlobalOptionThatTakesAValue() throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*(--config( \\| --[a-z-]+)*)\\)$").matcher(Files.readString(LAUNCHER));
        assertTrue(m.find(), "no option list in " + LAUNCHER);
        List<String> known = List.of(m.group(1).split(" \\| "));
        CommandLine launcher = LauncherCommand.commandLine();
        for (String program : List.of("coordinator", "worker", "status")) {
            for (OptionSpec o : launcher.getSubcommands().get(program).getCommandSpec().options()) {
                if (o.arity().max() > 0) {
                    for (String name : o.names()) {
                        assertTrue(known.contains(name), program + " " + name + " takes a value; the launcher lists "
                                + known);
                    }
                }
            }
        }
    }

    /** What bash offers for TAB at the end of {@code words}, with the generated script loaded. */
    private String complete(Path script, String command, String... words) throws Exception {
        String quoted = String.join(" ", Arrays.stream(words).map(w -> "'" + w + "'").toList());
        String probe = """
                compopt() { :; }
                source '%s'
                fn="$(complete -p %s | sed 's/.* -F \\([^ ]*\\) .*/\\1/')"
                COMP_WORDS=(%s %s); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
                COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                "$fn" %s "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%%s\\n' "${COMPREPLY[@]}"
                """.formatted(script, command, command, quoted, command);
        Result r = exec(List.of("bash", "-c", probe), dir);
        assertEquals(0, r.code(), r.out());
        return r.out();
    }

    @Test
    void bashCompletesCommandsAndGlobalOptionsAfterSubcommands() throws Exception {
        CompletionScripts.write(dir.resolve("completions"));
        Path ktestCi = dir.resolve("completions/ktest-ci");
        Path ciStatus = dir.resolve("completions/ci-status");
        assertEquals(lines("coordinator", "worker", "dashboard", "demo", "status"), complete(ktestCi, "ktest-ci", ""));
        assertTrue(complete(ktestCi, "ktest-ci", "coordinator", "").contains("check-config\n"));
        assertEquals(lines("--config"), complete(ktestCi, "ktest-ci", "coordinator", "check-config", "--con"));
        assertEquals(lines("--config", "--coordinator"), complete(ktestCi, "ktest-ci", "worker", "check-config",
                "--co"));
        assertEquals(lines("--local"), complete(ktestCi, "ktest-ci", "status", "log", "--lo"));
        assertEquals(lines("--refresh", "--remote"), complete(ciStatus, "ci-status", "show", "--re"));
        assertEquals(lines("--local"), complete(ciStatus, "ci-status", "--lo"));
    }
}
