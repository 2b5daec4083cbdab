package org.ktestci.coordinator.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.ktestci.schema.config.PersistenceConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The Pekko Persistence settings of a coordinator node (storage.md §7.1): pekko-persistence-jdbc for journal,
 * snapshots and queries over one shared connection pool, on an H2 file in {@code state_dir} (one node) or
 * PostgreSQL (several coordinator nodes).
 */
public final class JournalConfig {
    /** Settings above every reference.conf (reference.conf files merge in classpath order). */
    static final String SETTINGS = "ktest-ci-coordinator.conf";

    private JournalConfig() {
    }

    public static Config build(PersistenceConfig p) throws IOException {
        Map<String, Object> db;
        String profile;
        if (p.journal() == PersistenceConfig.Journal.H2) {
            Files.createDirectories(p.h2File().toAbsolutePath().getParent());
            profile = "slick.jdbc.H2Profile$";
            // WRITE_DELAY=0: a commit reaches the file before persist() completes, so a verdict acknowledged
            // to a worker survives kill -9 of the coordinator. DATABASE_TO_UPPER=false: the plugin's
            // lower-case table names.
            db = Map.of("url", h2Url(p),
                    "user", "sa", "password", "", "driver", "org.h2.Driver");
        } else {
            profile = "slick.jdbc.PostgresProfile$";
            db = Map.of("url", p.url().orElseThrow(), "user", p.user(), "password", password(p.passwordFile()),
                    "driver", "org.postgresql.Driver");
        }
        Config c = ConfigFactory.empty()
                .withValue("pekko-persistence-jdbc.shared-databases.slick.profile",
                        ConfigValueFactory.fromAnyRef(profile));
        c = c.withFallback(ConfigFactory.parseResources(JournalConfig.class.getClassLoader(), SETTINGS));
        for (Map.Entry<String, Object> e : db.entrySet()) {
            c = c.withValue("pekko-persistence-jdbc.shared-databases.slick.db." + e.getKey(),
                    ConfigValueFactory.fromAnyRef(e.getValue()));
        }
        if (c.getConfig("pekko.persistence").isEmpty()) {
            throw new IllegalStateException(SETTINGS + " missing from the classpath");
        }
        return c;
    }

    static String h2Url(PersistenceConfig p) {
        String file = p.h2File().toAbsolutePath().toString();
        // H2 has no escape for ';' in a database path: "x;INIT=…" would add settings (and run SQL). The config
        // loader refuses such paths; this guards any other way in.
        if (file.indexOf(';') >= 0 || file.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("H2 file path must not contain ';' or control characters: " + file);
        }
        // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would close the database while Pekko's coordinated
        // shutdown still writes through it; the connection pool closes it when the actor system terminates.
        return "jdbc:h2:file:" + file + ";DATABASE_TO_UPPER=false;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }

    private static String password(Optional<Path> file) throws IOException {
        return file.isEmpty() ? "" : Files.readString(file.get()).trim();
    }
}
