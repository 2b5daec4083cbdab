package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;

/** The keys issue 14 adds (its "Rules and config"): defaults, and every error with file:line:col. */
class RegressionConfigTest extends ConfigFixtureTest {
    @Test
    void defaults() throws Exception {
        assertEquals(RegressionConfig.defaults(), f.parse("", CI_STATUS).regressions());
        assertEquals("ktest_ci", f.parse("", CI_STATUS).regressions().kcidbOrigin());
    }

    @Test
    void flakeRetriesAndWindowAreBoundedIntegers() throws Exception {
        RegressionConfig r = f.parse("flake_retries = 0\nflake_window = 50\n", CI_STATUS).regressions();
        assertEquals(List.of(0, 50), List.of(r.flakeRetries(), r.flakeWindow()));
        assertEquals(List.of(2, 20), List.of(RegressionConfig.defaults().flakeRetries(),
                RegressionConfig.defaults().flakeWindow()));
        assertEquals(List.of(
                        f.err(2, 1, "flake_retries", TomlReader.rangeMessage(0, 5, 6)),
                        f.err(3, 1, "flake_window", TomlReader.rangeMessage(1, TomlReader.NO_MAX, 0))),
                f.errors("user = \"ci\"\nflake_retries = 6\nflake_window = 0\n", CI_STATUS));
        assertEquals(List.of(f.err(1, 1, "flake_retries", "expected integer, got string")),
                f.errors("flake_retries = \"2\"\n", CI_STATUS));
    }

    @Test
    void kcidbOriginIsLowercaseLettersDigitsAndUnderscores() throws Exception {
        assertEquals("bcachefs_ci", f.parse("kcidb_origin = \"bcachefs_ci\"\n", CI_STATUS).regressions().kcidbOrigin());
        assertEquals(List.of(f.err(2, 1, "kcidb_origin", "must match ^[a-z0-9_]+$, got \"Bcachefs-CI\"")),
                f.errors("user = \"ci\"\nkcidb_origin = \"Bcachefs-CI\"\n", CI_STATUS));
        assertEquals(List.of(f.err(1, 1, "kcidb_origin", "expected string, got integer")),
                f.errors("kcidb_origin = 5\n", CI_STATUS));
    }

    @Test
    void knownIssuesKeepFileOrderAndTheirFields() throws Exception {
        var issues = f.parse("""
                [known_issue.btree-csum]
                test = '^fs\\.bcachefs\\.'  # a literal string: no TOML escapes
                log = "checksum error"
                url = "https://lore.kernel.org/x"
                fixed_by = "0123456789abcdef0123456789abcdef01234567"

                [known_issue.boot]
                test = "^boot"
                url = "https://bugs.example.org/7"
                """, CI_STATUS).regressions().knownIssues();
        assertEquals(List.of("btree-csum", "boot"), List.copyOf(issues.keySet()));
        var b = issues.get("btree-csum");
        assertEquals("^fs\\.bcachefs\\.", b.test());
        assertEquals("checksum error", b.log().orElseThrow());
        assertEquals("0123456789abcdef0123456789abcdef01234567", b.fixedBy().orElseThrow());
        assertEquals("config", b.source());
        assertEquals(Optional.empty(), issues.get("boot").log());
    }

    @Test
    void knownIssueErrorsPointAtTheKey() {
        assertEquals(List.of(
                        f.err(2, 1, "known_issue.a.test", "invalid regex: Unclosed group near index 1"),
                        f.err(3, 1, "known_issue.a.lgo", "unknown key (did you mean \"log\"?)"),
                        f.err(4, 1, "known_issue.a.url", "must be an http:// or https:// URL, got \"lore\""),
                        f.err(5, 1, "known_issue.a.fixed_by",
                                "must be a full 40-character lowercase commit sha, got \"abc123\""),
                        f.err(6, 1, "known_issue.b.test", "required key missing"),
                        f.err(6, 1, "known_issue.b.url", "required key missing")),
                f.errors("""
                        [known_issue.a]
                        test = "("
                        lgo = "x"
                        url = "lore"
                        fixed_by = "abc123"
                        [known_issue.b]
                        """, CI_STATUS));
    }
}
