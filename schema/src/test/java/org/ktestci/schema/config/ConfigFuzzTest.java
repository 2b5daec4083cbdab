package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes {@code check-config} (issue 12, "Tests and figures"): 1,000 mutations of the spec's example files, with a
 * fixed seed, each checked under every program's role. Every outcome must be exit 0 with {@code ok}, or exit 78
 * with nothing but {@code file:line:col: key: message} lines; an exception (a stack trace in the real program)
 * fails the test with the config that caused it. A time budget bounds the run on a slow machine.
 */
class ConfigFuzzTest {
    private static final long SEED = 20261207L;
    private static final int CONFIGS = 1000;
    private static final long BUDGET_NANOS = 30_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void mutatedConfigsExitZeroOrSeventyEightWithPositionsAndNeverCrash() throws Exception {
        ConfigFixture f = new ConfigFixture(dir).coordinatorLayout("fs/bcachefs/single_device.ktest", "demo/smoke.ktest");
        ConfigFixture.gitRepo(dir.resolve("tools"), false);
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "t".repeat(40));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        ConfigMutator mutator = new ConfigMutator(new Random(SEED));
        Path file = f.file();
        Pattern errorLine = Pattern.compile("^" + Pattern.quote(file.toString()) + ":[1-9][0-9]*:[1-9][0-9]*: \\S.*: .+$");
        int ok = 0;
        int rejected = 0;
        int errors = 0;
        int runs = 0;
        int configs = 0;
        long start = System.nanoTime();
        for (; configs < CONFIGS && System.nanoTime() - start < BUDGET_NANOS; configs++) {
            byte[] bytes = mutator.mutate(ConfigMutator.SEEDS.get(configs % ConfigMutator.SEEDS.size()));
            Files.write(file, bytes);
            String toml = new String(bytes, StandardCharsets.UTF_8);
            for (ConfigRole role : ConfigRole.values()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code;
                try {
                    code = ConfigCheck.run(file, role, new PrintStream(out, true, StandardCharsets.UTF_8),
                            new PrintStream(err, true, StandardCharsets.UTF_8));
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("config #" + configs + " crashed check-config (" + role + "):\n" + toml, e);
                }
                runs++;
                String printed = err.toString(StandardCharsets.UTF_8);
                if (code == 0) {
                    assertEquals("ok\n", out.toString(StandardCharsets.UTF_8), toml);
                    assertEquals("", printed, toml);
                    ok++;
                } else if (code == 78) {
                    List<String> lines = printed.lines().toList();
                    assertTrue(!lines.isEmpty(), () -> "exit 78 without a message for:\n" + toml);
                    for (String l : lines) {
                        if (!errorLine.matcher(l).matches()) {
                            fail("not a file:line:col: key: message line (" + role + "): " + l + "\nconfig:\n" + toml);
                        }
                    }
                    rejected++;
                    errors += lines.size();
                } else {
                    fail("exit " + code + " for:\n" + toml);
                }
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("config fuzzer: %d configs x %d roles = %d checks in %d ms: %d ok, %d rejected "
                        + "(%d error lines), 0 crashes (seed %d)%n", configs, ConfigRole.values().length, runs, ms, ok,
                rejected, errors, SEED);
        assertTrue(configs >= CONFIGS / 10, "the budget allowed only " + configs + " configs");
        assertTrue(ok > 0 && rejected > 0, "the mutations should give both outcomes");
    }

    /** Mutations of whole lines, keys, values and bytes of a TOML text. */
    static final class ConfigMutator {
        static final List<String> SEEDS = List.of("""
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir  = "ktest"
                ci_host    = "ci.example.net"
                ci_url     = "https://ci.example.net"
                subtest_duration_max = 900
                keep_results_commits = 300
                state_dir = "state"

                [repos.bcachefs-tools]
                path = "tools"
                url  = "https://evilpiepirate.org/git/bcachefs-tools.git"

                [test_group.everyday]
                max_commits = 40
                tests   = ["fs/bcachefs/single_device.ktest"]
                kernels = ["upstream/stable-default"]
                arch    = ["x86_64", "aarch64"]

                [test_group.debug]
                extends     = "everyday"
                max_commits = 3
                priority    = 8
                kernels     = ["upstream/stable-lockdep", "upstream/stable-kasan"]
                arch        = ["aarch64"]

                [test_group.restarts]
                extends     = "everyday"
                nice        = 8
                env         = { ktest_bcachefs_inject_transaction_restarts = "1" }

                [branch.master]
                fetch       = "https://user:pa@ss@evilpiepirate.org/git/bcachefs-tools.git master"
                repo        = "bcachefs-tools"
                test_groups = ["everyday", "debug", "restarts"]

                [hosts.farm1]
                slots = 20
                arch  = "aarch64"

                [cluster]
                insecure_plaintext = true
                seed_nodes = ["pekko://ktest-ci@ci.example.net:25520"]

                [http]
                bind             = "127.0.0.1:8080"
                base_path        = "/ci-root"
                admin_token_file = "admin.token"

                [persistence]
                journal = "h2"
                h2_file = "state/journal"

                [worker]
                host = "farm1"
                slots = 2
                runner = "host"
                """, """
                linux_repo = "repo"
                output_dir = "out"
                ktest_dir  = "ktest"
                state_dir  = "state"
                ci_host    = "127.0.0.1"

                [test_group.demo]
                tests = ["demo/smoke.ktest"]

                [branch.main]
                fetch       = "upstream main"
                test_groups = ["demo"]

                [cluster]
                insecure_plaintext = true

                [worker]
                runner = "host"
                slots  = 2
                """);
        private static final List<String> KEYS = List.of("user", "linux_repo", "output_dir", "ktest_dir",
                "state_dir", "ci_host", "ci_url", "window", "refill_at", "lease_timeout", "heartbeat_interval",
                "path", "url", "tests", "kernels", "env", "arch", "extends", "priority", "nice", "max_commits",
                "order", "fetch", "repo", "test_groups", "slots", "bind", "base_path", "admin_token_file", "journal",
                "h2_file", "password_file", "workspace", "runner", "kernel_store", "log_cap_mib", "tls_cert",
                "seed_nodes", "port", "bind_host", "insecure_plaintext", "host", "qemu_kernel", "kernals");
        private static final List<String> VALUES = List.of("0", "-1", "1", "9223372036854775807",
                "99999999999999999999", "1.5", "nan", "inf", "true", "false", "\"\"", "\".\"", "\"..\"", "\"../../etc\"",
                "\"/\"", "\"a;b\"", "\"a,b\"", "\"a\\u0000b\"", "\"\\u0007\"", "\"x\"", "\"x86_64\"", "\"aarch64\"",
                "\"-rf\"", "\"https://TOKEN@h/r.git main\"", "\"upstream ..\"", "\"a b c\"", "[]", "[1, 2]",
                "[\"a\", \"a\"]", "[\"demo/smoke.ktest\", 3]", "{}", "{ a = 1 }", "{ ktest_x = \"a b\" }",
                "1979-05-27T07:32:00Z", "07:32:00", "\"" + "x".repeat(5000) + "\"", "'''multi\nline'''",
                "\"\\uD800\"", "\"日本\"", "\"pekko://ktest-ci@h:1\"", "\"h:99999\"", "\"[::1]:80\"");
        private static final List<String> HEADERS = List.of("[repos.\".\"]", "[repos.\"..\"]", "[test_group.\"\"]",
                "[branch.\"-x\"]", "[branch.\"a..b\"]", "[hosts.\"a/b\"]", "[worker]", "[http]", "[cluster]",
                "[persistence]", "[test_group.a.b]", "[[branch]]", "[branch.x.lock]", "[nope]", "[repos.linux]");
        private static final String NOISE = "=[]{}\",.'\\#\n\t \u0000\u00e9\u2028\ud83d\ude00abc019-_";

        private final Random random;

        ConfigMutator(Random random) {
            this.random = random;
        }

        /** The file's bytes: text mutations, and now and then bytes that are not UTF-8 at all. */
        byte[] mutate(String seed) {
            List<String> lines = new ArrayList<>(seed.lines().toList());
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                mutateOnce(lines);
            }
            String text = String.join("\n", lines) + (random.nextInt(8) == 0 ? "" : "\n");
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8); // a lone surrogate becomes '?'
            if (random.nextInt(20) == 0 && bytes.length > 0) {
                bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80));
            }
            return bytes;
        }

        private void mutateOnce(List<String> lines) {
            if (lines.isEmpty()) {
                lines.add(pick(HEADERS));
                return;
            }
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(10)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, line);
                case 2 -> lines.set(at, replaceValue(line));
                case 3 -> lines.add(at, pick(KEYS) + " = " + pick(VALUES));
                case 4 -> lines.add(at, pick(HEADERS));
                case 5 -> lines.set(at, insertNoise(line));
                case 6 -> lines.set(at, line.substring(0, random.nextInt(line.length() + 1)));
                case 7 -> {
                    int other = random.nextInt(lines.size());
                    lines.set(at, lines.get(other));
                    lines.set(other, line);
                }
                case 8 -> lines.set(at, renameKey(line));
                default -> lines.set(at, line.replace("\"", random.nextBoolean() ? "'" : "\"\"\""));
            }
        }

        private String replaceValue(String line) {
            int eq = line.indexOf('=');
            return eq < 0 ? line : line.substring(0, eq + 1) + " " + pick(VALUES);
        }

        private String renameKey(String line) {
            int eq = line.indexOf('=');
            return eq < 0 ? line : pick(KEYS) + " " + line.substring(eq);
        }

        private String insertNoise(String line) {
            StringBuilder sb = new StringBuilder(line);
            int k = 1 + random.nextInt(3);
            for (int i = 0; i < k; i++) {
                sb.insert(random.nextInt(sb.length() + 1), NOISE.charAt(random.nextInt(NOISE.length())));
            }
            return sb.toString();
        }

        private String pick(List<String> from) {
            return from.get(random.nextInt(from.size()));
        }
    }
}
