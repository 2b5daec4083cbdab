package org.ktestci.coordinator.journal;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.coordinator.results.CommitEntity;
import org.ktestci.coordinator.results.CommitEvent;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.results.VerdictOutcome;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.status.Status;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JournalSchema#H2_TUNING} keeps what a journal promises: a write acknowledged before the coordinator is
 * killed with SIGKILL is there after it, the orderings after the restart never collide with those before, and a
 * journal written with H2's defaults (every release before the tuning) recovers and keeps growing.
 */
class H2JournalTuningTest {
    static final String INSERT_EVENT = "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", "
            + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", "
            + "\"event_ser_id\", \"event_ser_manifest\") VALUES (false, ?, ?, ?, 0, '', ?, 33, 'test')";
    static final String INSERT_TAG = "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, 'results')";

    @TempDir
    Path dir;

    /** A payload of 1,000 bytes, above H2's default in-row limit (256) and below the tuned one (4096). */
    static byte[] payload(String writer, long seq) {
        String head = "{\"writer\":\"" + writer + "\",\"seq\":" + seq + ",\"pad\":\"";
        return (head + "x".repeat(1000 - head.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** One event row and its tag row, as the plugin writes them; returns the event's ordering. */
    static long insert(PreparedStatement event, PreparedStatement tag, String writer, long seq) throws Exception {
        event.setString(1, "crash-" + writer);
        event.setLong(2, seq);
        event.setString(3, writer);
        event.setBytes(4, payload(writer, seq));
        event.executeUpdate();
        long ordering;
        try (ResultSet keys = event.getGeneratedKeys()) {
            keys.next();
            ordering = keys.getLong(1);
        }
        tag.setLong(1, ordering);
        tag.executeUpdate();
        return ordering;
    }

    @Test
    void writesAcknowledgedBeforeAKillSurviveItAndOrderingsResumeAboveThem() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                H2CrashWriter.class.getName(), dir.toString(), "w1")
                .redirectError(dir.resolve("child.err").toFile()).start();
        List<Long> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            // Past several identity caches of H2's default size, so the sequence has been stored more than once.
            while (acknowledged.size() < 400) {
                String line = out.readLine();
                if (line == null) {
                    throw new AssertionError("the writer exited early: " + Files.readString(dir.resolve("child.err")));
                }
                acknowledged.add(Long.parseLong(line));
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no H2 close, nothing flushed on the way out
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
        }
        PersistenceConfig p = JournalFixture.h2(dir);
        try (Connection c = JournalFixture.connect(p)) {
            assertEquals(10_000, identityCache(c), "the tuning is kept in the database");
            try (PreparedStatement q = c.prepareStatement("SELECT \"sequence_number\", \"event_payload\" FROM "
                    + "\"event_journal\" WHERE \"ordering\" = ?")) {
                for (long ordering : acknowledged) {
                    q.setLong(1, ordering);
                    try (ResultSet r = q.executeQuery()) {
                        assertTrue(r.next(), "acknowledged event " + ordering + " lost by the kill");
                        assertEquals(new String(payload("w1", r.getLong(1)), StandardCharsets.UTF_8),
                                new String(r.getBytes(2), StandardCharsets.UTF_8));
                    }
                }
            }
            long before = H2CrashWriter.maxOrdering(c);
            assertTrue(before >= acknowledged.get(acknowledged.size() - 1));
            // The restarted coordinator: tables exist, the tuning is applied again, writes go on.
            H2CrashWriter.createTables(c);
            JournalSchema.tuneH2(c);
            Set<Long> after = new HashSet<>();
            try (PreparedStatement event = c.prepareStatement(INSERT_EVENT, Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement tag = c.prepareStatement(INSERT_TAG)) {
                for (long seq = 1; seq <= 100; seq++) {
                    long ordering = insert(event, tag, "w2", seq);
                    assertTrue(ordering > before, "ordering " + ordering + " reused after the kill (max " + before + ")");
                    after.add(ordering);
                }
            }
            assertEquals(100, after.size());
        }
        try (Connection c = JournalFixture.connect(p); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COUNT(*) FROM \"event_journal\" WHERE \"writer\" = 'w2'")) {
            r.next();
            assertEquals(100, r.getLong(1), "writes after the restart survive a clean reopen");
        }
    }

    @Test
    void aJournalWrittenWithH2sDefaultsRecoversAndGrowsAfterTheTuning() throws Exception {
        PersistenceConfig p = JournalFixture.h2(dir);
        String sha = "0123456789abcdef0123456789abcdef01234567";
        List<String> before = IntStream.range(0, 40).mapToObj(i -> "old.t" + i).toList();
        List<String> later = IntStream.range(0, 40).mapToObj(i -> "new.t" + i).toList();

        // As every release before the tuning: the plugin's tables with H2's defaults.
        ActorTestKit old = ActorTestKit.create("H2Defaults", JournalFixture.config(p));
        try {
            SchemaUtils.createIfNotExists(old.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            try (Connection c = JournalFixture.connect(p)) {
                assertEquals(32, identityCache(c), "H2's default");
            }
            Store s = Store.start(old, sha);
            s.record(sha, "L1", before);
        } finally {
            old.shutdownTestKit();
        }
        try (Connection c = JournalFixture.connect(p); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT MIN(OCTET_LENGTH(\"event_payload\")) FROM \"event_journal\" "
                     + "WHERE \"persistence_id\" = '" + CommitEntity.persistenceId(sha) + "'")) {
            r.next();
            assertTrue(r.getLong(1) > 256, "every event was written out of the row under H2's defaults");
        }

        ActorTestKit tuned = JournalFixture.kit("H2Tuned", p);
        try {
            try (Connection c = JournalFixture.connect(p)) {
                assertEquals(10_000, identityCache(c));
            }
            Store s = Store.start(tuned, sha);
            assertVerdicts(s.index, sha, before);
            s.record(sha, "L2", later);
        } finally {
            tuned.shutdownTestKit();
        }

        ActorTestKit again = JournalFixture.kit("H2TunedAgain", p);
        try {
            Store s = Store.start(again, sha);
            List<String> all = new ArrayList<>(before);
            all.addAll(later);
            assertVerdicts(s.index, sha, all);
            // The projector's query reads old (out-of-row) and new (in-row) payloads alike, in ordering order.
            JdbcReadJournal journal = PersistenceQuery.get(again.system())
                    .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
            List<EventEnvelope> events = journal.currentEventsByTag(CommitEntity.TAG, new Sequence(0))
                    .runWith(Sink.seq(), again.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(2 + all.size(), events.size(), "two claims and a verdict per key");
            long verdicts = events.stream().filter(e -> e.event() instanceof CommitEvent.VerdictRecorded).count();
            assertEquals(all.size(), verdicts);
            for (int i = 1; i < events.size(); i++) {
                assertTrue(((Sequence) events.get(i).offset()).value() > ((Sequence) events.get(i - 1).offset()).value());
            }
        } finally {
            again.shutdownTestKit();
        }
    }

    private static void assertVerdicts(ResultsIndex index, String sha, List<String> keys) {
        for (String k : keys) {
            assertEquals(Status.PASSED, index.record(sha, k).orElseThrow(() -> new AssertionError(k + " not recovered"))
                    .status(), k);
        }
        assertEquals(keys.size(), index.commit(sha).size());
    }

    private static long identityCache(Connection c) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = "
                     + "'event_journal' AND COLUMN_NAME = 'ordering'")) {
            assertTrue(r.next(), "no event_journal.ordering");
            return r.getLong(1);
        }
    }

    /** The results store of one commit, started and recovered. */
    private record Store(ActorTestKit kit, ActorRef<ResultsStore.Command> store, ResultsIndex index) {
        static Store start(ActorTestKit kit, String sha) {
            ResultsIndex index = new ResultsIndex();
            TestProbe<ResultsProjector.Command> projector = kit.createTestProbe();
            TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
            ActorRef<ResultsStore.Command> store = kit.spawn(ResultsStore.create(index, new OutputDir(
                            Path.of("/nonexistent/ktest-ci-h2-tuning")),
                    system -> CompletableFuture.completedFuture(List.of(sha)), projector.ref(), ready.ref()));
            ready.expectMessageClass(ResultsStore.Ready.class, Duration.ofSeconds(60));
            return new Store(kit, store, index);
        }

        /** Claims {@code keys} under {@code lease} and records a PASSED verdict for each (long status lines). */
        void record(String sha, String lease, List<String> keys) {
            store.tell(new ResultsStore.Claim(sha, keys.stream().map(k -> new CommitEvent.ClaimedKey(k, 1)).toList(),
                    lease, 1, "host", 0, "x86_64", 100));
            TestProbe<VerdictOutcome> reply = kit.createTestProbe();
            for (String k : keys) {
                store.tell(new ResultsStore.Verdict(sha, k, lease, 1, "========= PASSED " + k + " in 1s", 1, 100, 101,
                        k, "", 7, reply.ref()));
            }
            Set<String> recorded = new HashSet<>();
            for (int i = 0; i < keys.size(); i++) {
                VerdictOutcome o = reply.expectMessageClass(VerdictOutcome.class, Duration.ofSeconds(60));
                assertEquals(VerdictOutcome.Result.RECORDED, o.result(), o.key());
                recorded.add(o.key());
            }
            assertEquals(Set.copyOf(keys), recorded);
            assertNotEquals(0, recorded.size());
        }
    }
}
