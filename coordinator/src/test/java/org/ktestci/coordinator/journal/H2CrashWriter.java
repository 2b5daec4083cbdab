package org.ktestci.coordinator.journal;

import org.ktestci.schema.config.PersistenceConfig;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The child process of {@link H2JournalTuningTest}: opens the journal's H2 file as the coordinator does (same URL,
 * the plugin's tables, {@link JournalSchema#H2_TUNING}), then writes journal rows with their tag rows as the
 * plugin does, one transaction per event, and prints each event's ordering once its commit has returned, until it
 * is killed. A printed ordering is an acknowledged write.
 */
public final class H2CrashWriter {
    private H2CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        PersistenceConfig p = JournalFixture.h2(Path.of(args[0]));
        String writer = args[1];
        try (Connection c = DriverManager.getConnection(JournalConfig.h2Url(p), "sa", "")) {
            createTables(c);
            JournalSchema.tuneH2(c);
            c.setAutoCommit(false);
            try (PreparedStatement event = c.prepareStatement(H2JournalTuningTest.INSERT_EVENT,
                    Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement tag = c.prepareStatement(H2JournalTuningTest.INSERT_TAG)) {
                for (long seq = 1; ; seq++) {
                    long ordering = H2JournalTuningTest.insert(event, tag, writer, seq);
                    c.commit();
                    System.out.println(ordering);
                    System.out.flush();
                }
            }
        }
    }

    /** The plugin's own H2 script (as {@code SchemaUtils} runs it), from its jar. */
    static void createTables(Connection c) throws Exception {
        try (InputStream in = H2CrashWriter.class.getClassLoader().getResourceAsStream("schema/h2/h2-create-schema.sql");
             Statement st = c.createStatement()) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String sql : Arrays.stream(script.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
                st.execute(sql.replace("CREATE UNIQUE INDEX \"event_journal_ordering_idx\"",
                        "CREATE UNIQUE INDEX IF NOT EXISTS \"event_journal_ordering_idx\""));
            }
        }
    }

    /** The highest ordering in the journal, 0 when it is empty. */
    static long maxOrdering(Connection c) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"event_journal\"")) {
            r.next();
            return r.getLong(1);
        }
    }
}
