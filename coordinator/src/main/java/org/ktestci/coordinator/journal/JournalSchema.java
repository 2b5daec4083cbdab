package org.ktestci.coordinator.journal;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Creates the plugin's standard tables if they are missing (storage.md §7.1), before any entity starts, and on
 * H2 applies {@link #H2_TUNING}. Blocks: call it off the actors' dispatchers.
 */
public final class JournalSchema {
    /**
     * H2 settings that make a journal write cheaper without changing what is durable or the tables' format
     * (BENCHMARKS.md, "The H2 journal"). Both persist in the database; applying them again is harmless.
     * <ul>
     * <li>The identity cache of {@code event_journal.ordering}: the plugin inserts rows one by one on H2 (it needs
     * each row's ordering for its tag row), and every time H2's cache of 32 values runs out, H2 stores the sequence
     * in a commit of its own, a whole MVStore write. After a crash the ordering resumes past the cached values, so
     * it has a gap, which the read journal already tolerates (it waits out gaps, as after a rolled-back insert).
     * <li>{@code MAX_LENGTH_INPLACE_LOB}: event payloads (the {@code BLOB} column) of up to 4 KiB stay in the
     * row instead of H2's LOB maps (H2's default keeps only 256 bytes, less than a verdict event). Payloads
     * written before stay where they are and read the same.
     * </ul>
     */
    public static final List<String> H2_TUNING = List.of(
            "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE 10000",
            "SET MAX_LENGTH_INPLACE_LOB 4096");

    private JournalSchema() {
    }

    public static void createIfMissing(ActorSystem<?> system) throws Exception {
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (isH2(system)) {
            SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(system));
            try (Connection c = slick.database(system.settings().config().getConfig("jdbc-journal")).database()
                    .source().createConnection()) {
                tuneH2(c);
            }
        }
    }

    /** Applies {@link #H2_TUNING} on a connection to the journal's H2 database. */
    public static void tuneH2(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : H2_TUNING) {
                st.execute(sql);
            }
        }
    }

    private static boolean isH2(ActorSystem<?> system) {
        String key = "pekko-persistence-jdbc.shared-databases.slick.db.url";
        return system.settings().config().hasPath(key)
                && system.settings().config().getString(key).startsWith("jdbc:h2:");
    }
}
