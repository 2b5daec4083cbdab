package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;
import static org.ktestci.schema.config.ConfigRole.COORDINATOR;

/** How problems are reported (config.md §1.1) and the generic type, range and cross-key rules (§2). */
class ConfigErrorsTest extends ConfigFixtureTest {
    @Test
    void anErrorPrintsAsFileLineColumnKeyPathMessage() {
        assertEquals("/etc/ktest-ci.toml:14:1: test_group.debug.kernals: unknown key (did you mean \"kernels\"?)",
                new ConfigError("/etc/ktest-ci.toml", 14, 1, "test_group.debug.kernals",
                        "unknown key (did you mean \"kernels\"?)").toString());
    }

    @Test
    void reportsEveryErrorOfAFileAtOnceSortedByLineThenColumn() throws Exception {
        f.coordinatorLayout("x.ktest");
        ConfigException e = assertThrows(ConfigException.class, () -> f.parse("""
                linux_repo = "repo"
                ktest_dir = "ktest"
                subtest_duration_max = 0
                executors = 3
                [test_group.debug]
                tests = ["x.ktest"]
                kernals = ["a"]
                [test_group.everyday]
                tests = ["x.ktest"]
                [branch.master]
                fetch = "https://example.org/x.git master"
                test_groups = ["everyday", "everyda"]
                [hosts.farm1]
                arch = "arm64"
                [cluster]
                insecure_plaintext = true
                [worker]
                slots = 0
                """, COORDINATOR));
        assertEquals(List.of(
                f.err(1, 1, "output_dir", "required key missing"),
                f.err(3, 1, "subtest_duration_max", "must be >= 1, got 0"),
                f.err(4, 1, "executors", "unknown key (use [hosts.<name>])"),
                f.err(7, 1, "test_group.debug.kernals", "unknown key (did you mean \"kernels\"?)"),
                f.err(12, 28, "branch.master.test_groups[1]",
                        "unknown test_group \"everyda\" (did you mean \"everyday\"?)"),
                f.err(14, 1, "hosts.farm1.arch", "must be one of \"x86_64\", \"aarch64\", got \"arm64\""),
                f.err(18, 1, "worker.slots", "must be between 1 and 256, got 0")),
                e.errors().stream().map(ConfigError::toString).toList());
        assertEquals(e.errors().get(0) + " (and 6 more)", e.getMessage());
    }

    @Test
    void sortsByColumnWithinALine() {
        assertEquals(List.of(
                f.err(2, 9, "test_group.g.arch[0]", "must be one of \"x86_64\", \"aarch64\", got \"a\""),
                f.err(2, 14, "test_group.g.arch[1]", "must be one of \"x86_64\", \"aarch64\", got \"b\""),
                f.err(3, 1, "test_group.g.priority", "expected integer, got string")),
                f.errors("[test_group.g]\narch = [\"a\", \"b\"]\npriority = \"1\"\n", CI_STATUS));
    }

    @Test
    void reportsSyntaxErrorsWithTheSyntaxKeyPathAndNothingElse() {
        assertEquals(List.of(
                f.err(2, 12, "(syntax)", "Unexpected '4', expected a newline or end-of-input"),
                f.err(3, 1, "(syntax)", "window previously defined at line 2, column 1"),
                f.err(4, 1, "(syntax)", "window previously defined at line 2, column 1"),
                f.err(5, 3, "(syntax)", "Unexpected end of line, expected ]")),
                f.errors("executors = 1\nwindow = 3 4\nwindow = 1\nwindow = 2\n[a\n", CI_STATUS),
                "the unknown key is not reported: a file with syntax errors gets no semantic check");
    }

    @Test
    void neverCoercesTypesAndNamesTheTomlTypes() {
        List<String> errors = f.errors("""
                window = "2000"
                user = 7
                ci_host = 1.5
                output_dir = true
                ktest_dir = 1979-05-27
                state_dir = 1979-05-27T07:32:00Z
                ci_url = 07:32:00
                linux_repo = 1979-05-27T07:32:00
                fetch_interval = 60.0
                gc_grace = true
                test_group = "x"
                [cluster]
                insecure_plaintext = "yes"
                seed_nodes = "pekko://ktest-ci@h:25520"
                port = [25520]
                [http]
                bind = { host = "x" }
                [[worker]]
                slots = 1
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(1, 1, "window", "expected integer, got string"),
                f.err(2, 1, "user", "expected string, got integer"),
                f.err(3, 1, "ci_host", "expected string, got float"),
                f.err(4, 1, "output_dir", "expected string, got boolean"),
                f.err(5, 1, "ktest_dir", "expected string, got local date"),
                f.err(6, 1, "state_dir", "expected string, got offset date-time"),
                f.err(7, 1, "ci_url", "expected string, got local time"),
                f.err(8, 1, "linux_repo", "expected string, got local date-time"),
                f.err(9, 1, "fetch_interval", "expected integer, got float"),
                f.err(10, 1, "gc_grace", "expected integer, got boolean"),
                f.err(11, 1, "test_group", "expected table, got string"),
                f.err(13, 1, "cluster.insecure_plaintext", "expected boolean, got string"),
                f.err(14, 1, "cluster.seed_nodes", "expected array of strings, got string"),
                f.err(15, 1, "cluster.port", "expected integer, got array"),
                f.err(17, 1, "http.bind", "expected string, got table"),
                f.err(18, 1, "worker", "expected table, got array")), errors);
    }

    @Test
    void reportsNonStringArrayElementsWhereTheyAreEvenAcrossLines() {
        assertEquals(List.of(
                f.err(3, 5, "test_group.g.tests[1]", "expected string, got integer"),
                f.err(5, 3, "test_group.g.tests[2]", "expected string, got boolean"),
                f.err(7, 16, "test_group.g.kernels[0]", "expected string, got table")),
                f.errors("""
                        [test_group.g]
                        tests = ["a.ktest",
                            3,
                          # a comment line
                          true,
                        ]
                        kernels = [ \t  {a = 1}]
                        """, CI_STATUS));
    }

    @Test
    void rangeErrorsNameTheBounds() {
        assertEquals(List.of(
                f.err(1, 1, "subtest_timeout", "must be >= 10, got 9"),
                f.err(2, 1, "infra_retries", "must be between 0 and 10, got 11"),
                f.err(3, 1, "window", "must be <= 2147483647, got 3000000000"),
                f.err(4, 1, "fetch_interval", "must be >= 5, got -1"),
                f.err(5, 1, "maintenance_interval", "must be >= 60, got 59"),
                f.err(6, 1, "refill_interval", "must be >= 10, got 9"),
                f.err(7, 1, "fair_share_half_life", "must be >= 0, got -1"),
                f.err(8, 1, "gc_grace", "must be >= 0, got -1"),
                f.err(9, 1, "quarantine_after", "must be >= 1, got 0"),
                f.err(10, 1, "keep_results_commits", "must be >= 1, got 0"),
                f.err(11, 1, "subtest_duration_def", "must be >= 1, got 0")),
                f.errors("""
                        subtest_timeout = 9
                        infra_retries = 11
                        window = 3000000000
                        fetch_interval = -1
                        maintenance_interval = 59
                        refill_interval = 9
                        fair_share_half_life = -1
                        gc_grace = -1
                        quarantine_after = 0
                        keep_results_commits = 0
                        subtest_duration_def = 0
                        """, CI_STATUS));
    }

    @Test
    void checksCrossKeyRulesAtTheKeyTheFileSets() {
        assertEquals(List.of(
                f.err(2, 1, "refill_at", "must be < window (10), got 10"),
                f.err(4, 1, "lease_timeout", "must be >= 3 x heartbeat_interval (30), got 20"),
                f.err(6, 1, "quarantine_backoff_max", "must be >= quarantine_backoff (100), got 50")),
                f.errors("""
                        window = 10
                        refill_at = 10
                        heartbeat_interval = 10
                        lease_timeout = 20
                        quarantine_backoff = 100
                        quarantine_backoff_max = 50
                        """, CI_STATUS));
        assertEquals(List.of(
                f.err(1, 1, "window", "must be > refill_at (500), got 400"),
                f.err(2, 1, "heartbeat_interval", "must be <= lease_timeout / 3 (4), got 21"),
                f.err(3, 1, "quarantine_backoff", "must be <= quarantine_backoff_max (14400), got 20000")),
                f.errors("window = 400\nheartbeat_interval = 21\nquarantine_backoff = 20000\n", CI_STATUS),
                "against a default, the key the file sets is the one reported");
    }

    @Test
    void anInvalidValueIsNotAlsoReportedByACrossKeyRule() {
        assertEquals(List.of(
                f.err(1, 1, "window", "must be >= 1, got 0"),
                f.err(3, 1, "lease_timeout", "expected integer, got string")),
                f.errors("window = 0\nrefill_at = 3000\nlease_timeout = \"5\"\nheartbeat_interval = 100\n",
                        CI_STATUS));
    }

    @Test
    void unknownKeysEverywhereGetSuggestionsOrKtestHints() {
        List<String> errors = f.errors("""
                ktest_url = "x"
                users_dir = "x"
                user_nice = 1
                ci_remote = "x"
                verbose = true
                test_duration_nice = 1
                test_always_passes_nice = 1
                outptu_dir = "x"
                quarantine_backof = 1
                zzz = 1
                [test_group.g]
                test = ["a.ktest"]
                [cluster]
                seed_node = []
                [http]
                bnd = "x"
                [persistence]
                jornal = "h2"
                [worker]
                kernelstore = "x"
                [hosts.h]
                arc = "x86_64"
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(1, 1, "ktest_url", "unknown key (workers use worker.ktest_dir)"),
                f.err(2, 1, "users_dir", "unknown key"),
                f.err(3, 1, "user_nice", "unknown key"),
                f.err(4, 1, "ci_remote", "unknown key"),
                f.err(5, 1, "verbose", "unknown key"),
                f.err(6, 1, "test_duration_nice", "unknown key"),
                f.err(7, 1, "test_always_passes_nice", "unknown key"),
                f.err(8, 1, "outptu_dir", "unknown key (did you mean \"output_dir\"?)"),
                f.err(9, 1, "quarantine_backof", "unknown key (did you mean \"quarantine_backoff\"?)"),
                f.err(10, 1, "zzz", "unknown key"),
                f.err(12, 1, "test_group.g.test", "unknown key (did you mean \"tests\"?)"),
                f.err(14, 1, "cluster.seed_node", "unknown key (did you mean \"seed_nodes\"?)"),
                f.err(16, 1, "http.bnd", "unknown key (did you mean \"bind\"?)"),
                f.err(18, 1, "persistence.jornal", "unknown key (did you mean \"journal\"?)"),
                f.err(20, 1, "worker.kernelstore", "unknown key (did you mean \"kernel_store\"?)"),
                f.err(22, 1, "hosts.h.arc", "unknown key (did you mean \"arch\"?)")), errors);
    }
}
