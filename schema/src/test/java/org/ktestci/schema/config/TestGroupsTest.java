package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;
import static org.ktestci.schema.config.ConfigRole.COORDINATOR;
import static org.ktestci.schema.config.ConfigRole.WORKER;

/** {@code [test_group.*]} (config.md §4). */
class TestGroupsTest extends ConfigFixtureTest {
    @Test
    void extendsReplacesListsOverlaysEnvAndResolvesRecursively() throws Exception {
        CiConfig c = f.parse("""
                [test_group.leaf]
                extends = "mid"
                env = { ktest_b = true, ktest_c = -3 }
                tests = []
                [test_group.mid]
                extends = "base"
                kernels = ["upstream/stable-kasan", "/boot/vmlinuz-6.1+x:y"]
                env = { ktest_a = "2" }
                nice = -5
                [test_group.base]
                tests = ["a.ktest", "b.ktest"]
                kernels = ["upstream/stable-default"]
                env = { ktest_a = 1, ktest_b = "x" }
                arch = ["x86_64", "aarch64"]
                max_commits = 7
                priority = 4
                """, CI_STATUS);
        TestGroupConfig mid = c.testGroups().get("mid");
        assertEquals(List.of("a.ktest", "b.ktest"), mid.tests());
        assertEquals(List.of("upstream/stable-kasan", "/boot/vmlinuz-6.1+x:y"), mid.kernels(), "lists replace");
        assertEquals(Map.of("ktest_a", "2", "ktest_b", "x"), mid.env());
        assertEquals(List.of(Arch.X86_64, Arch.AARCH64), mid.arch());
        assertEquals(7, mid.maxCommits());
        assertEquals(-5, mid.priority(), "nice overrides the parent's priority");
        TestGroupConfig leaf = c.testGroups().get("leaf");
        assertEquals(List.of(), leaf.tests(), "an empty list replaces too");
        assertEquals(List.of("upstream/stable-kasan", "/boot/vmlinuz-6.1+x:y"), leaf.kernels());
        assertEquals(Map.of("ktest_a", "2", "ktest_b", "true", "ktest_c", "-3"), leaf.env(),
                "env overlays through every ancestor; values are their TOML text");
        assertEquals(-5, leaf.priority());
        assertEquals(List.of("leaf", "mid", "base"), List.copyOf(c.testGroups().keySet()));
    }

    @Test
    void reportsAnExtendsCycleOnceAtItsFirstGroupInFileOrder() {
        List<String> errors = f.errors("""
                [test_group.x]
                extends = "b"
                tests = ["x.ktest"]
                [test_group.b]
                extends = "c"
                [test_group.a]
                extends = "b"
                [test_group.c]
                extends = "a"
                [test_group.self]
                extends = "self"
                [test_group.u]
                extends = "everyda"
                [test_group.everyday]
                tests = ["e.ktest"]
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(5, 1, "test_group.b.extends", "extends cycle: b -> c -> a -> b"),
                f.err(11, 1, "test_group.self.extends", "extends cycle: self -> self"),
                f.err(13, 1, "test_group.u.extends", "unknown test_group \"everyda\" (did you mean \"everyday\"?)")),
                errors, "x only leads into the cycle: no message of its own");
    }

    @Test
    void checksEveryTestPath() throws Exception {
        f.coordinatorLayout("ok.ktest", "fs/x+y:z_1.2-3.ktest");
        List<String> errors = f.errors(ConfigFixture.COORDINATOR_TOP + """
                [test_group.g]
                tests = ["ok.ktest", "fs/x+y:z_1.2-3.ktest", "ok.ktest", "a/../b.ktest", "/abs.ktest",
                         "nope.sh", "sp ace.ktest", "q@x.ktest", "gone.ktest"]
                """, COORDINATOR);
        assertEquals(List.of(
                f.err(7, 46, "test_group.g.tests[2]", "duplicate test \"ok.ktest\""),
                f.err(7, 58, "test_group.g.tests[3]", "must not contain a \"..\" segment, got \"a/../b.ktest\""),
                f.err(7, 74, "test_group.g.tests[4]", "must be relative to <ktest_dir>/tests, got \"/abs.ktest\""),
                f.err(8, 10, "test_group.g.tests[5]", "must end in .ktest, got \"nope.sh\""),
                f.err(8, 21, "test_group.g.tests[6]",
                        "may only contain letters, digits, \"/\" and \". _ + : -\", got \"sp ace.ktest\""),
                f.err(8, 37, "test_group.g.tests[7]",
                        "may only contain letters, digits, \"/\" and \". _ + : -\", got \"q@x.ktest\""),
                f.err(8, 50, "test_group.g.tests[8]",
                        "test file not found: " + dir.resolve("ktest/tests/gone.ktest"))), errors);
    }

    @Test
    void testFilesMustExistOnlyForTheCoordinator() throws Exception {
        String toml = """
                ci_host = "c"
                ktest_dir = "nowhere"
                [cluster]
                insecure_plaintext = true
                [test_group.g]
                tests = ["gone.ktest"]
                """;
        assertEquals(List.of("gone.ktest"), f.parse(toml, WORKER).testGroups().get("g").tests());
        assertEquals(List.of("gone.ktest"), f.parse(toml, CI_STATUS).testGroups().get("g").tests());
    }

    @Test
    void aMissingTestsDirectoryIsReportedOnceNotPerTest() throws Exception {
        f.coordinatorLayout();
        Files.delete(dir.resolve("ktest/tests"));
        assertEquals(List.of(f.err(3, 1, "ktest_dir", "has no tests/ directory: " + dir.resolve("ktest"))),
                f.errors(ConfigFixture.COORDINATOR_TOP + """
                        [test_group.g]
                        tests = ["a.ktest", "b.ktest"]
                        """, COORDINATOR));
    }

    @Test
    void checksKernelsEnvArchPriorityAndMaxCommits() {
        List<String> errors = f.errors("""
                keep_results_commits = 100
                [test_group.g]
                kernels = ["upstream/ok", "debian/forky", "bad kernel", "/abs/../x", "a//b", "/ok/v+1:2"]
                env = { ktest_x = 1.5, other = "1", ktest_y = "a b", ktest_z = "x=y", ktest_w = "a@b", ktest_v = [1] }
                arch = ["x86_64", "x86_64", "arm64"]
                priority = 1001
                max_commits = 101
                [test_group.h]
                priority = 1
                nice = 2
                [test_group.i]
                nice = -1001
                max_commits = 0
                [test_group."bad name"]
                tests = ["t.ktest"]
                """, CI_STATUS);
        String envChars = "env values may only contain letters, digits and \". _ + : -\", got ";
        assertEquals(List.of(
                f.err(3, 43, "test_group.g.kernels[2]",
                        "must be a kernel-store id or an absolute image path, got \"bad kernel\""),
                f.err(3, 57, "test_group.g.kernels[3]",
                        "must be a kernel-store id or an absolute image path, got \"/abs/../x\""),
                f.err(3, 70, "test_group.g.kernels[4]",
                        "must be a kernel-store id or an absolute image path, got \"a//b\""),
                f.err(4, 9, "test_group.g.env.ktest_x", "expected string, integer or boolean, got float"),
                f.err(4, 24, "test_group.g.env.other", "env keys must match ^ktest_[A-Za-z0-9_]+$"),
                f.err(4, 37, "test_group.g.env.ktest_y", envChars + "\"a b\""),
                f.err(4, 54, "test_group.g.env.ktest_z", envChars + "\"x=y\""),
                f.err(4, 71, "test_group.g.env.ktest_w", envChars + "\"a@b\""),
                f.err(4, 88, "test_group.g.env.ktest_v", "expected string, integer or boolean, got array"),
                f.err(5, 19, "test_group.g.arch[1]", "duplicate arch \"x86_64\""),
                f.err(5, 29, "test_group.g.arch[2]", "must be one of \"x86_64\", \"aarch64\", got \"arm64\""),
                f.err(6, 1, "test_group.g.priority", "must be between -1000 and 1000, got 1001"),
                f.err(7, 1, "test_group.g.max_commits", "must be between 1 and 100, got 101"),
                f.err(10, 1, "test_group.h.nice", "use either priority or nice, not both"),
                f.err(12, 1, "test_group.i.nice", "must be between -1000 and 1000, got -1001"),
                f.err(13, 1, "test_group.i.max_commits", "must be between 1 and 100, got 0"),
                f.err(14, 1, "test_group.\"bad name\"", "group name must match ^[A-Za-z0-9._-]+$")), errors);
    }

    @Test
    void orderDefaultsToLongestFirstAndFailuresFirstIsInheritedWithItsCommitCount() throws Exception {
        CiConfig c = f.parse("""
                [test_group.base]
                tests = ["a.ktest"]
                order = "failures_first"
                failures_first_commits = 12
                [test_group.child]
                extends = "base"
                [test_group.plain]
                tests = ["b.ktest"]
                """, CI_STATUS);
        assertEquals(TestGroupConfig.FAILURES_FIRST, c.testGroups().get("child").order(), "inherited through extends");
        assertEquals(12, c.testGroups().get("child").failuresFirstCommits());
        assertEquals(TestGroupConfig.LONGEST_FIRST, c.testGroups().get("plain").order());
        assertEquals(5, c.testGroups().get("plain").failuresFirstCommits());
    }

    @Test
    void rejectsAnUnknownOrderAndAFailureWindowOutOfRange() {
        List<String> errors = f.errors("""
                [test_group.g]
                tests = ["a.ktest"]
                order = "fastest_first"
                failures_first_commits = 51
                [test_group.h]
                tests = ["a.ktest"]
                order = 1
                failures_first_commits = 0
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(3, 1, "test_group.g.order",
                        "must be one of \"longest_first\", \"failures_first\", got \"fastest_first\""),
                f.err(4, 1, "test_group.g.failures_first_commits", "must be between 1 and 50, got 51"),
                f.err(7, 1, "test_group.h.order", "expected string, got integer"),
                f.err(8, 1, "test_group.h.failures_first_commits", "must be between 1 and 50, got 0")), errors);
    }

    @Test
    void aReferencedGroupWithoutTestsIsAnErrorOnce() {
        List<String> errors = f.errors("""
                [test_group.base]
                tests = ["a.ktest"]
                [test_group.emptied]
                extends = "base"
                tests = []
                [test_group.unused]
                [branch.one]
                fetch = "https://e.org/r.git main"
                test_groups = ["base", "emptied"]
                [branch.two]
                fetch = "https://e.org/r.git main"
                test_groups = ["emptied"]
                """, CI_STATUS);
        assertEquals(List.of(f.err(9, 24, "branch.one.test_groups[1]", "test_group \"emptied\" has no tests")),
                errors);
    }

    @Test
    void aGroupWhoseTestsAreAllInvalidIsNotAlsoReportedAsEmpty() {
        assertEquals(List.of(f.err(2, 10, "test_group.g.tests[0]", "must end in .ktest, got \"x.sh\"")),
                f.errors("""
                        [test_group.g]
                        tests = ["x.sh"]
                        [branch.b]
                        fetch = "https://e.org/r.git main"
                        test_groups = ["g"]
                        """, CI_STATUS));
    }
}
