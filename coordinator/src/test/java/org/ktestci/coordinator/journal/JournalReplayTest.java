package org.ktestci.coordinator.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.config.PersistenceConfig;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ktestci.coordinator.results.CommitJournalFixture.SHA_EVENTS;
import static org.ktestci.coordinator.results.CommitJournalFixture.SHA_SNAPSHOT;

/**
 * A journal written by release 0.1.0 (the rows of {@link JournalFixture#RESOURCE}, every event kind and a
 * snapshot of each entity kind) recovers into the state that release recovered from it: renamed event and
 * snapshot classes keep reading their old manifests (protocol.md §5, issue 13).
 */
class JournalReplayTest {
    @TempDir
    Path dir;

    @Test
    void aJournalOfRelease010RecoversIntoTheStateThatReleaseRecovered() throws Exception {
        JsonNode fixture = JournalFixture.read();
        PersistenceConfig p = JournalFixture.h2(dir);
        ActorTestKit kit = JournalFixture.kit("JournalReplayTest", p);
        try {
            try (var c = JournalFixture.connect(p)) {
                JournalFixture.load(c, fixture.get("tables"));
            }
            // Fields added since 0.1.0 (a result's firstBad and fullLogRerun, a job's recentFailure) recover as null,
            // false or 0: absent in 0.1.0's terms. Dropped on both sides, so a true or a value still has to match.
            JsonNode recovered = withoutNulls(JournalFixture.recover(kit));
            JsonNode expected = withoutNulls(fixture.get("recovered").deepCopy());
            for (String part : JournalFixture.names(expected)) {
                assertEquals(expected.get(part), recovered.get(part), part + " differs from what 0.1.0 recovered");
            }
            assertEquals(expected, recovered);

            // Facts of the fixture, so an empty recovery on both sides could not pass.
            JsonNode a = recovered.get("commits").get(SHA_EVENTS);
            assertEquals("FAILED", a.get("t.c").get("status").asText());
            assertEquals(1, a.get("t.c").get("observations").size(), "the re-run's observation");
            assertEquals("NOTRUN", a.get("old.x").get("status").asText(), "imported");
            assertEquals("INPROGRESS", a.get("t.d").get("status").asText());
            assertEquals(false, a.has("t.a"), "cleared");
            JsonNode b = recovered.get("commits").get(SHA_SNAPSHOT);
            assertEquals(1_700_000_300, b.get("t.d").get("starttime").asLong(), "the event after the snapshot");
            JsonNode w = recovered.get("window");
            assertEquals("L2", w.get("leases").get(0).get("leaseId").asText());
            assertEquals(1, w.get("pending").asInt(), "d; a decided, b requeued then leased again, c removed");
            assertEquals(1_700_000_600_000L, w.get("hosts").get("farm3").get("until").asLong(), "quarantined");
            assertEquals(1, w.get("hosts").get("farm1").get("consecutive").asInt(), "L1's infrastructure failure");
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** Number fields added since 0.1.0 whose absence means 0. */
    private static final Set<String> ADDED_AS_ZERO = Set.of("fullLogRerun");

    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getValue().isNull()
                    || e.getValue().isBoolean() && !e.getValue().booleanValue()
                    || ADDED_AS_ZERO.contains(e.getKey()) && e.getValue().isNumber() && e.getValue().asLong() == 0);
            o.forEach(JournalReplayTest::withoutNulls);
        } else if (node.isArray()) {
            node.forEach(JournalReplayTest::withoutNulls);
        }
        return node;
    }
}
