package org.ktestci.coordinator.journal;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

import java.util.concurrent.TimeUnit;

/** Creates the plugin's standard tables if they are missing (storage.md §7.1), before any entity starts. */
public final class JournalSchema {
    private JournalSchema() {
    }

    public static void createIfMissing(ActorSystem<?> system) throws Exception {
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
