package org.ktestci.bench;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

import java.sql.Connection;
import java.sql.Statement;

/** A setup's SQL ({@code bench.schema-sql}), run on the journal's own pool once the tables exist. */
final class JournalSql {
    static final String KEY = "bench.schema-sql";

    private JournalSql() {
    }

    static void run(ActorSystem<?> system, Config config) throws Exception {
        if (!config.hasPath(KEY)) {
            return;
        }
        SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(system));
        try (Connection c = slick.database(system.settings().config().getConfig("jdbc-journal")).database().source()
                .createConnection(); Statement st = c.createStatement()) {
            for (String sql : config.getStringList(KEY)) {
                st.execute(sql);
            }
        }
    }
}
