package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;

/** {@code [branch.*]}, {@code [repos.*]} and {@code [hosts.*]} (config.md §3, §5, §6.1). */
class BranchesTest extends ConfigFixtureTest {
    private static final String GROUP = "[test_group.g]\ntests = [\"a.ktest\"]\n";

    private BranchConfig branch(String fetch) throws ConfigException {
        return f.parse(GROUP + "[branch.b]\nfetch = \"" + fetch + "\"\ntest_groups = [\"g\"]\n", CI_STATUS)
                .branches().get("b");
    }

    private List<String> fetchErrors(String fetch) {
        return f.errors(GROUP + "[branch.b]\nfetch = \"" + fetch + "\"\ntest_groups = [\"g\"]\n", CI_STATUS);
    }

    @Test
    void splitsFetchIntoUrlAndRefAndResolvesPaths() throws Exception {
        assertEquals(new BranchConfig("b", "https://e.org/r.git", "master", "linux", List.of("g")),
                branch("https://e.org/r.git master"));
        assertEquals("git://e.org/r.git", branch("git://e.org/r.git main").fetchUrl());
        assertEquals("ssh://git@e.org/r.git", branch("ssh://git@e.org/r.git main").fetchUrl());
        assertEquals("file:///srv/r.git", branch("file:///srv/r.git main").fetchUrl());
        assertEquals(dir.resolve("upstream").toString(), branch("upstream main").fetchUrl());
        assertEquals(dir.getParent().resolve("r.git").toString(), branch("../r.git main").fetchUrl());
        assertEquals("/srv/r.git", branch("/srv/r.git main").fetchUrl());
        BranchConfig fullRef = branch("  https://e.org/r.git \t refs/heads/for-next  ");
        assertEquals("refs/heads/for-next", fullRef.fetchRef());
        assertEquals("https://e.org/r.git", fullRef.fetchUrl());
    }

    @Test
    void bisectIsOnByDefaultWithTwentyJobsAndBothAreChecked() throws Exception {
        BranchConfig b = branch("r.git main");
        assertEquals(List.of(true, 20), List.of(b.bisect(), b.bisectMaxJobs()));
        String head = GROUP + "[branch.b]\nfetch = \"r.git main\"\ntest_groups = [\"g\"]\n";
        BranchConfig set = f.parse(head + "bisect = false\nbisect_max_jobs = 0\n", CI_STATUS).branches().get("b");
        assertEquals(List.of(false, 0), List.of(set.bisect(), set.bisectMaxJobs()));
        assertEquals(List.of(f.err(6, 1, "branch.b.bisect", "expected boolean, got string"),
                        f.err(7, 1, "branch.b.bisect_max_jobs", TomlReader.rangeMessage(0, TomlReader.NO_MAX, -1))),
                f.errors(head + "bisect = \"yes\"\nbisect_max_jobs = -1\n", CI_STATUS));
    }

    @Test
    void rejectsFetchValuesThatAreNotExactlyAUrlAndARef() {
        String tokens = "must be exactly \"<remote-url> <ref>\", got ";
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", tokens + "\"https://e.org/r.git\"")),
                fetchErrors("https://e.org/r.git"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", tokens + "\"\"")), fetchErrors(""));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", tokens + "\"r.git main --force\"")),
                fetchErrors("r.git main --force"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", "URL and ref must not start with \"-\"")),
                fetchErrors("--upload-pack=evil main"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", "URL and ref must not start with \"-\"")),
                fetchErrors("r.git -main"));
        String url = "URL must be https://, git://, ssh://, file:// or a path, got ";
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", url + "\"http://e.org/r.git\"")),
                fetchErrors("http://e.org/r.git main"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", url + "\"ext::sh\"")), fetchErrors("ext::sh main"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", url + "\"git@github.com:k/b.git\"")),
                fetchErrors("git@github.com:k/b.git main"));
        String ref = "ref must be a branch name or a full refs/ name, got ";
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", ref + "\"a..b\"")), fetchErrors("r.git a..b"));
        assertEquals(List.of(f.err(4, 1, "branch.b.fetch", ref + "\"x.lock\"")), fetchErrors("r.git x.lock"));
    }

    @Test
    void checksRepoAndTestGroupReferences() {
        List<String> errors = f.errors("""
                [test_group.everyday]
                tests = ["a.ktest"]
                [repos.bcachefs-tools]
                path = "bt"
                url = "https://e.org/bt.git"
                [branch.one]
                fetch = "https://e.org/r.git main"
                repo = "bcachefs-tool"
                test_groups = ["everyday", "everyda", "everyday", "zzz"]
                [branch.two]
                fetch = "https://e.org/r.git main"
                repo = "linx"
                test_groups = []
                [branch.three]
                fetch = "https://e.org/r.git main"
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(8, 1, "branch.one.repo", "unknown repo \"bcachefs-tool\" (did you mean \"bcachefs-tools\"?)"),
                f.err(9, 28, "branch.one.test_groups[1]",
                        "unknown test_group \"everyda\" (did you mean \"everyday\"?)"),
                f.err(9, 39, "branch.one.test_groups[2]", "duplicate test_group \"everyday\""),
                f.err(9, 51, "branch.one.test_groups[3]", "unknown test_group \"zzz\""),
                f.err(12, 1, "branch.two.repo", "unknown repo \"linx\" (did you mean \"linux\"?)"),
                f.err(13, 1, "branch.two.test_groups", "must name at least one test_group"),
                f.err(14, 1, "branch.three.test_groups", "required key missing")), errors);
    }

    @Test
    void branchNamesMustBeValidGitRefComponents() throws Exception {
        String ref = "branch name must be a valid git ref name (no \"..\", no leading \"-\" or \"/\", "
                + "no trailing \"/\" or \".lock\")";
        StringBuilder toml = new StringBuilder(GROUP);
        List<String> bad = List.of("a..b", "-x", "/x", "x/", "x.lock", "a/.hidden", "sp ace", "ü");
        for (String name : List.of("ok/with-slash_and.dots", "a..b", "-x", "/x", "x/", "x.lock", "a/.hidden",
                "sp ace", "ü")) {
            toml.append("[branch.\"").append(name).append("\"]\nfetch = \"r.git main\"\ntest_groups = [\"g\"]\n");
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < bad.size(); i++) {
            String message = i < 6 ? ref : "branch name must match ^[A-Za-z0-9._/-]+$";
            expected.add(f.err(6 + 3 * i, 1, "branch.\"" + bad.get(i) + "\"", message));
        }
        assertEquals(expected, f.errors(toml.toString(), CI_STATUS));
    }

    @Test
    void keyPathsKeepTheQuotingOfTheFile() {
        List<String> errors = f.errors(GROUP + """
                [branch."alice-wip"]
                fetch = "-x main"
                test_groups = ["g"]
                [branch.'bob.wip']
                fetch = "-x main"
                test_groups = ["g"]
                [branch.carol-wip]
                fetch = "-x main"
                test_groups = ["g"]
                [ branch . "dave\\u002dwip" ]
                fetch = "-x main"
                test_groups = ["g"]
                [branch]
                "erin.x".fetch = "-x main"
                "erin.x".test_groups = ["g"]
                [hosts."farm-1"]
                arch = "arm"
                """, CI_STATUS);
        String dash = "URL and ref must not start with \"-\"";
        assertEquals(List.of(
                f.err(4, 1, "branch.\"alice-wip\".fetch", dash),
                f.err(7, 1, "branch.'bob.wip'.fetch", dash),
                f.err(10, 1, "branch.carol-wip.fetch", dash),
                f.err(13, 1, "branch.\"dave\\u002dwip\".fetch", dash),
                f.err(16, 1, "branch.\"erin.x\".fetch", dash),
                f.err(19, 1, "hosts.\"farm-1\".arch", "must be one of \"x86_64\", \"aarch64\", got \"arm\"")), errors);
    }

    @Test
    void checksReposAndHosts() {
        List<String> errors = f.errors("""
                [repos."bad name"]
                path = "x"
                url = "u"
                [repos.tools]
                pth = "x"
                [hosts.farm1]
                slots = 0
                slot = 1
                [hosts."bad_host"]
                slots = 257
                arch = 64
                """, CI_STATUS);
        assertEquals(List.of(
                f.err(1, 1, "repos.\"bad name\"", "repo name must match ^[A-Za-z0-9_-][A-Za-z0-9._-]*$"),
                f.err(4, 1, "repos.tools.path", "required key missing"),
                f.err(4, 1, "repos.tools.url", "required key missing"),
                f.err(5, 1, "repos.tools.pth", "unknown key (did you mean \"path\"?)"),
                f.err(7, 1, "hosts.farm1.slots", "must be between 1 and 256, got 0"),
                f.err(8, 1, "hosts.farm1.slot", "unknown key (did you mean \"slots\"?)"),
                f.err(9, 1, "hosts.\"bad_host\"", "host name must match ^[A-Za-z0-9.-]+$"),
                f.err(10, 1, "hosts.\"bad_host\".slots", "must be between 1 and 256, got 257"),
                f.err(11, 1, "hosts.\"bad_host\".arch", "expected string, got integer")), errors);
    }

    @Test
    void hostsHaveOptionalSlotsAndArch() throws Exception {
        CiConfig c = f.parse("[hosts.farm1]\nslots = 20\n[hosts.farm2]\narch = \"x86_64\"\n", CI_STATUS);
        assertEquals(new HostConfig("farm1", Optional.of(20), Optional.empty()), c.hosts().get("farm1"));
        assertEquals(new HostConfig("farm2", Optional.empty(), Optional.of(Arch.X86_64)), c.hosts().get("farm2"));
    }
}
