package org.ktestci.coordinator.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.DesiredJobs;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.ktestci.coordinator.results.CommitJournalFixture.SHA_EVENTS;
import static org.ktestci.coordinator.results.CommitJournalFixture.SHA_SNAPSHOT;

/**
 * A journal as rows of the plugin's tables (H2), and what the coordinator recovers from it. The fixture file
 * holds both: the rows a release wrote ({@code tables}) and the state that release recovered from them
 * ({@code recovered}); a later release must recover the same state from the same rows (protocol.md §5).
 */
final class JournalFixture {
    static final String RESOURCE = "/journal/journal-fixture-0.1.0.json";
    static final List<String> TABLES = List.of("event_journal", "event_tag", "snapshot");
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalFixture() {
    }

    static PersistenceConfig h2(Path dir) {
        return new PersistenceConfig(PersistenceConfig.Journal.H2, dir.resolve("journal"), Optional.empty(),
                "ktest_ci", Optional.empty());
    }

    /** A local actor system's config on the journal {@code p}. */
    static com.typesafe.config.Config config(PersistenceConfig p) throws Exception {
        return JournalConfig.build(p)
                .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("local"))
                .withFallback(ConfigFactory.load());
    }

    static ActorTestKit kit(String name, PersistenceConfig p) throws Exception {
        ActorTestKit kit = ActorTestKit.create(name, config(p));
        JournalSchema.createIfMissing(kit.system());
        return kit;
    }

    static Connection connect(PersistenceConfig p) throws Exception {
        return DriverManager.getConnection(JournalConfig.h2Url(p), "sa", "");
    }

    /** Every row of the journal's tables; binary columns as UTF-8 text where they are text (JSON payloads). */
    static ObjectNode export(Connection c) throws Exception {
        ObjectNode tables = JSON.createObjectNode();
        for (String table : TABLES) {
            ArrayNode rows = tables.putArray(table);
            try (Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY 1, 2")) {
                ResultSetMetaData md = r.getMetaData();
                while (r.next()) {
                    ObjectNode row = rows.addObject();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String col = md.getColumnLabel(i);
                        Object v = r.getObject(i);
                        if (v == null) {
                            row.putNull(col);
                        } else if (md.getColumnType(i) == Types.BLOB) {
                            row.set(col, bytes(r.getBytes(i)));
                        } else if (v instanceof Number n) {
                            row.put(col, n.longValue());
                        } else if (v instanceof Boolean b) {
                            row.put(col, b);
                        } else {
                            row.put(col, v.toString());
                        }
                    }
                }
            }
        }
        return tables;
    }

    private static JsonNode bytes(byte[] b) {
        ObjectNode n = JSON.createObjectNode();
        try {
            n.put("utf8", StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString());
        } catch (CharacterCodingException e) {
            n.put("base64", Base64.getEncoder().encodeToString(b));
        }
        return n;
    }

    /** Inserts the fixture's rows into empty tables, as the release that wrote them left them. */
    static void load(Connection c, JsonNode tables) throws Exception {
        for (String table : TABLES) {
            for (JsonNode row : tables.get(table)) {
                List<String> cols = new ArrayList<>();
                row.fieldNames().forEachRemaining(cols::add);
                String sql = "INSERT INTO \"" + table + "\" (" + String.join(", ", cols.stream()
                        .map(x -> "\"" + x + "\"").toList()) + ") VALUES (" + "?, ".repeat(cols.size() - 1) + "?)";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < cols.size(); i++) {
                        JsonNode v = row.get(cols.get(i));
                        if (v.isNull()) {
                            ps.setObject(i + 1, null);
                        } else if (v.isObject()) {
                            ps.setBytes(i + 1, v.has("utf8") ? v.get("utf8").asText().getBytes(StandardCharsets.UTF_8)
                                    : Base64.getDecoder().decode(v.get("base64").asText()));
                        } else if (v.isBoolean()) {
                            ps.setBoolean(i + 1, v.asBoolean());
                        } else if (v.isNumber()) {
                            ps.setLong(i + 1, v.asLong());
                        } else {
                            ps.setString(i + 1, v.asText());
                        }
                    }
                    ps.executeUpdate();
                }
            }
        }
        long next;
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COALESCE(MAX(\"ordering\"), 0) + 1 FROM \"event_journal\"")) {
            r.next();
            next = r.getLong(1);
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" RESTART WITH " + next);
        }
    }

    /**
     * What the coordinator recovers from the journal: both commits' result records (the results index), and
     * the window's leases, host health and queue. The window's refill is held, so it shows only recovered state.
     */
    static ObjectNode recover(ActorTestKit kit) throws Exception {
        ObjectMapper mapper = JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-json",
                Optional.empty());
        ObjectNode out = JSON.createObjectNode();
        ResultsIndex index = new ResultsIndex();
        TestProbe<ResultsProjector.Command> projector = kit.createTestProbe();
        TestProbe<ResultsStore.Ready> ready = kit.createTestProbe();
        ActorRef<ResultsStore.Command> store = kit.spawn(ResultsStore.create(index, new OutputDir(
                        Path.of("/nonexistent/ktest-ci-fixture")),
                system -> CompletableFuture.completedFuture(List.of(SHA_EVENTS, SHA_SNAPSHOT)), projector.ref(),
                ready.ref()));
        ready.expectMessageClass(ResultsStore.Ready.class, Duration.ofSeconds(30));
        ObjectNode commits = out.putObject("commits");
        for (String sha : List.of(SHA_EVENTS, SHA_SNAPSHOT)) {
            commits.set(sha, mapper.valueToTree(new TreeMap<>(index.commit(sha))));
        }
        CountDownLatch held = new CountDownLatch(1);
        SchedulerSettings settings = SchedulerSettings.defaults()
                .withLeaseTimeout(Duration.ofHours(1), Duration.ofSeconds(3));
        ActorRef<JobWindow.Command> window = kit.spawn(JobWindow.create(settings,
                (excluded, arches, size, constraints, pending) -> {
                    try {
                        held.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new DesiredJobs.Result(List.of(), 0, Map.of(), pending);
                }, store, index, CoordinatorMetrics.standalone()));
        try {
            TestProbe<JobWindow.LeaseSummary> leases = kit.createTestProbe();
            window.tell(new JobWindow.GetLeases(leases.ref()));
            JobWindow.LeaseSummary s = leases.receiveMessage(Duration.ofSeconds(30));
            ObjectNode w = out.putObject("window");
            w.set("leases", mapper.valueToTree(s.leases()));
            w.set("hosts", mapper.valueToTree(new TreeMap<>(s.hosts())));
            TestProbe<JobWindow.QueueSummary> queue = kit.createTestProbe();
            window.tell(new JobWindow.GetQueue(queue.ref()));
            JobWindow.QueueSummary q = queue.receiveMessage(Duration.ofSeconds(30));
            w.put("pending", q.pending());
            w.put("leased", q.leased());
            w.set("pendingByBranch", mapper.valueToTree(new TreeMap<>(q.pendingByBranch())));
            w.set("leasedByBranch", mapper.valueToTree(new TreeMap<>(q.leasedByBranch())));
            w.set("quarantinedHosts", mapper.valueToTree(q.quarantinedHosts().stream().sorted().toList()));
        } finally {
            held.countDown();
        }
        // Through text, as the fixture is read: numbers then compare by value, not by int/long node type.
        return (ObjectNode) JSON.readTree(JSON.writeValueAsString(out));
    }

    static JsonNode read() throws Exception {
        try (var in = JournalFixture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the test classpath");
            }
            return JSON.readTree(in);
        }
    }

    static ObjectMapper json() {
        return JSON;
    }

    /** Field names of {@code n} in order, for messages. */
    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
