package org.ktestci.coordinator.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/** Actor-level tests run the real event-sourced actors on Pekko's in-memory journal and snapshot store. */
public final class InMemoryJournal {
    private InMemoryJournal() {
    }

    public static Config config() {
        return PersistenceTestKitPlugin.getInstance().config()
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load());
    }
}
