package org.ktestci.coordinator.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.config.PersistenceConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The H2 journal file's path goes into a JDBC URL, where a ';' would start H2 settings (issue 12 item 6). */
class JournalUrlTest {
    @TempDir
    Path dir;

    private static PersistenceConfig h2(Path file) {
        return new PersistenceConfig(PersistenceConfig.Journal.H2, file, Optional.empty(), "ktest_ci", Optional.empty());
    }

    @Test
    void aPathThatWouldAddH2SettingsNeverBecomesAUrl() {
        // What the state_dir of a hostile config would give: INIT runs SQL when the database opens.
        Path marker = dir.resolve("pwned");
        PersistenceConfig p = h2(dir.resolve("journal;INIT=CALL FILE_WRITE('x', '" + marker + "')"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalConfig.build(p));
        assertTrue(e.getMessage().startsWith("H2 file path must not contain ';' or control characters: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JournalConfig.h2Url(p));
        assertFalse(Files.exists(marker));
    }

    @Test
    void aPlainPathIsTheDatabaseFileAndNothingElse() throws Exception {
        PersistenceConfig p = h2(dir.resolve("state dir/journal"));
        Files.createDirectories(dir.resolve("state dir"));
        try (var c = DriverManager.getConnection(JournalConfig.h2Url(p), "sa", "")) {
            assertEquals("H2", c.getMetaData().getDatabaseProductName());
        }
        assertTrue(Files.exists(dir.resolve("state dir/journal.mv.db")));
    }
}
