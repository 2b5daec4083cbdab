package org.ktestci.coordinator.journal;

import org.ktestci.schema.config.PersistenceConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Deletes every event and snapshot of one persistence id (retention, storage.md §9). pekko-persistence-jdbc has
 * no API for that (its DeleteMessagesTo keeps the highest row), so this speaks SQL to the plugin's standard
 * tables; tags go with their events (ON DELETE CASCADE). Only for entities that are not running. Blocking.
 */
public final class JournalEraser {
    private final PersistenceConfig config;

    public JournalEraser(PersistenceConfig config) {
        this.config = config;
    }

    public void erase(String persistenceId) throws IOException {
        try (Connection c = connect();
             PreparedStatement events = c.prepareStatement("DELETE FROM event_journal WHERE persistence_id = ?");
             PreparedStatement snapshots = c.prepareStatement("DELETE FROM snapshot WHERE persistence_id = ?")) {
            c.setAutoCommit(false);
            events.setString(1, persistenceId);
            events.executeUpdate();
            snapshots.setString(1, persistenceId);
            snapshots.executeUpdate();
            c.commit();
        } catch (SQLException e) {
            throw new IOException("cannot delete the journal entries of " + persistenceId + ": " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException, IOException {
        if (config.journal() == PersistenceConfig.Journal.H2) {
            // The same URL as the plugin's pool: in one JVM, H2 shares the open database between connections.
            return DriverManager.getConnection(JournalConfig.h2Url(config), "sa", "");
        }
        String password = config.passwordFile().isEmpty() ? "" : Files.readString(config.passwordFile().get()).trim();
        return DriverManager.getConnection(config.url().orElseThrow(), config.user(), password);
    }
}
