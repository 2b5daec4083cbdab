package org.ktestci.coordinator.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.ktestci.coordinator.results.CommitEvent;
import org.ktestci.coordinator.results.CommitJournalFixture;
import org.ktestci.coordinator.results.CommitEntity;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.coordinator.scheduling.WindowEvent;
import org.ktestci.coordinator.scheduling.WindowJournalFixture;
import org.ktestci.schema.config.PersistenceConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes {@link JournalFixture#RESOURCE}: run once with the release whose journal later releases must read
 * (never again: the file is that release's record). Events and snapshots go through the configured
 * serializers exactly as the entities persist them (same persistence ids, same tags); then that release's own
 * recovery is run over them and its result stored beside the rows.
 *
 * <p>Skipped unless {@code journal.fixture.out} names the file to write.
 */
class JournalFixtureWriter {
    /** Persist {@code event}; then, if {@code snapshot} is set, store it as the entity's snapshot. */
    record Write(Object event, Object snapshot, ActorRef<Long> replyTo) implements NoSerializationVerificationNeeded {}

    record Held(Object snapshot) {}

    /** Persists what it is told under a persistence id of the coordinator, with the entities' tags. */
    static final class Writer extends EventSourcedBehavior<Write, Object, Held> {
        private Object nextSnapshot;

        Writer(String persistenceId) {
            super(PersistenceId.ofUniqueId(persistenceId));
        }

        @Override
        public Held emptyState() {
            return new Held(null);
        }

        @Override
        public CommandHandler<Write, Object, Held> commandHandler() {
            return newCommandHandlerBuilder().forAnyState().onCommand(Write.class, (state, w) -> {
                nextSnapshot = w.snapshot();
                return Effect().persist(w.event()).thenRun(s -> w.replyTo().tell(0L));
            }).build();
        }

        @Override
        public EventHandler<Held, Object> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> new Held(nextSnapshot));
        }

        @Override
        public boolean shouldSnapshot(Held state, Object event, long sequenceNr) {
            return state.snapshot() != null;
        }

        @Override
        public SnapshotAdapter<Held> snapshotAdapter() {
            return new SnapshotAdapter<>() {
                @Override
                public Object toJournal(Held state) {
                    return state.snapshot();
                }

                @Override
                public Held fromJournal(Object from) {
                    return new Held(from);
                }
            };
        }

        @Override
        public Set<String> tagsFor(Object event) {
            return event instanceof CommitEvent ? Set.of(CommitEntity.TAG) : Set.of();
        }
    }

    /** {@code mvnl -pl coordinator -am test -Dtest=JournalFixtureWriter -Djournal.fixture.out=<file>}. */
    @Test
    @EnabledIfSystemProperty(named = "journal.fixture.out", matches = ".+")
    void write() throws Exception {
        Path out = Path.of(System.getProperty("journal.fixture.out"));
        Path dir = Files.createTempDirectory("journal-fixture");
        PersistenceConfig p = JournalFixture.h2(dir);
        ActorTestKit kit = JournalFixture.kit("JournalFixtureWriter", p);
        try {
            String sha = CommitJournalFixture.SHA_EVENTS;
            write(kit, CommitEntity.persistenceId(sha), new ArrayList<>(CommitJournalFixture.events(sha)), null);
            String snap = CommitJournalFixture.SHA_SNAPSHOT;
            List<CommitEvent> before = CommitJournalFixture.events(snap);
            write(kit, CommitEntity.persistenceId(snap), new ArrayList<>(before),
                    CommitJournalFixture.snapshotAfter(before));
            write(kit, CommitEntity.persistenceId(snap), List.of(new CommitEvent.StartRecorded(snap, "t.d", "L3",
                    1_700_000_300)), null);
            List<WindowEvent> w = WindowJournalFixture.beforeSnapshot(sha);
            write(kit, JobWindow.PERSISTENCE_ID, new ArrayList<>(w), WindowJournalFixture.snapshotAfter(w,
                    SchedulerSettings.defaults().quarantineAfter()));
            write(kit, JobWindow.PERSISTENCE_ID, new ArrayList<>(WindowJournalFixture.afterSnapshot(sha)), null);
        } finally {
            kit.shutdownTestKit();
        }
        ObjectNode fixture = JournalFixture.json().createObjectNode();
        fixture.put("written_by", "ktest-ci 0.1.0 (JournalFixtureWriter); do not regenerate");
        try (var c = JournalFixture.connect(p)) {
            fixture.set("tables", JournalFixture.export(c));
        }
        ActorTestKit again = JournalFixture.kit("JournalFixtureRecovery", p);
        try {
            fixture.set("recovered", JournalFixture.recover(again));
        } finally {
            again.shutdownTestKit();
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        JournalFixture.json().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), fixture);
    }

    /** Persists {@code events} in order under {@code id}, the last one followed by {@code snapshot} if set. */
    private static void write(ActorTestKit kit, String id, List<Object> events, Object snapshot) {
        ActorRef<Write> writer = kit.spawn(new Writer(id));
        TestProbe<Long> done = kit.createTestProbe();
        for (int i = 0; i < events.size(); i++) {
            writer.tell(new Write(events.get(i), i == events.size() - 1 ? snapshot : null, done.ref()));
            done.receiveMessage(Duration.ofSeconds(30));
        }
        kit.stop(writer);
    }
}
