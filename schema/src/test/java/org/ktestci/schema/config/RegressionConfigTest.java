package org.ktestci.schema.config;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;

/** The keys issue 14 adds (its "Rules and config"): defaults, and every error with file:line:col. */
class RegressionConfigTest {
    @TempDir
    Path dir;
    ConfigFixture f;

    @BeforeEach
    void setUp() {
        f = new ConfigFixture(dir);
    }

    @Test
    void defaults() throws Exception {
        assertEquals(RegressionConfig.defaults(), f.parse("", CI_STATUS).regressions());
        assertEquals("ktest_ci", f.parse("", CI_STATUS).regressions().kcidbOrigin());
    }

    @Test
    void kcidbOriginIsLowercaseLettersDigitsAndUnderscores() throws Exception {
        assertEquals("bcachefs_ci", f.parse("kcidb_origin = \"bcachefs_ci\"\n", CI_STATUS).regressions().kcidbOrigin());
        assertEquals(List.of(f.err(2, 1, "kcidb_origin", "must match ^[a-z0-9_]+$, got \"Bcachefs-CI\"")),
                f.errors("user = \"ci\"\nkcidb_origin = \"Bcachefs-CI\"\n", CI_STATUS));
        assertEquals(List.of(f.err(1, 1, "kcidb_origin", "expected string, got integer")),
                f.errors("kcidb_origin = 5\n", CI_STATUS));
    }
}
