package org.ktestci.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.schema.config.PersistenceConfig;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Verdict ingestion per journal setup, side by side in one process (issue 15 item 7): the same 60-slot farm as
 * {@code bench/run leases} ({@link LeaseBench}), each setup run in turn, round after round, so the machine's
 * noise falls on all of them alike; the summary gives each setup's medians (verdicts/s and CPU per verdict)
 * and their ratios to the first setup named. Usage: {@code bench/run journal [--rounds N] [--batches 10,50] [setup ...]}, a setup being a journal
 * and levers on it ({@code h2+cache=32+inline=256}); {@code bench/run journal --list} lists both. PostgreSQL setups need {@code KTEST_CI_TEST_PG_URL} (a fresh database is
 * created per run next to it, and dropped after).
 */
public final class JournalBench {
    /** A base journal: what it is, whether an acknowledged verdict survives kill -9, and its config. */
    record Base(String what, boolean durable, ConfigMaker config) {}

    /** A lever on top of a base, {@code +name=value}: what it changes, and how. */
    record Lever(String what, boolean durable, java.util.function.BiFunction<Config, String, Config> apply) {}

    @FunctionalInterface
    interface ConfigMaker {
        Config make() throws Exception;
    }

    /** H2 as the product set it up before issue 15 (H2's defaults for what {@code JournalSchema} tunes). */
    static final String BEFORE = "h2+cache=32+inline=256";

    private static final Map<String, Base> BASES = new LinkedHashMap<>();
    private static final Map<String, Lever> LEVERS = new LinkedHashMap<>();

    static {
        BASES.put("memory", new Base("Pekko's in-memory journal: the actors' own cost, no database", false,
                LeaseBench::memory));
        BASES.put("h2", new Base("H2 file journal as the product sets it up (WRITE_DELAY=0, JournalSchema's "
                + "H2 tuning)", true, LeaseBench::h2));
        BASES.put("pg", new Base("PostgreSQL on loopback, the product's settings (server: fsync and "
                + "synchronous_commit on)", true, JournalBench::postgres));
        LEVERS.put("cache", new Lever("H2: identity cache of event_journal.ordering (H2's default 32); every "
                + "time it runs out H2 stores the sequence in a commit of its own", true, (c, v) -> sql(c,
                "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE " + Long.parseLong(v))));
        LEVERS.put("inline", new Lever("H2: MAX_LENGTH_INPLACE_LOB (H2's default 256): payloads up to this many "
                + "bytes stay in the row, longer ones go to H2's LOB maps", true, (c, v) -> sql(c,
                "SET MAX_LENGTH_INPLACE_LOB " + Integer.parseInt(v))));
        LEVERS.put("par", new Lever("jdbc-journal.parallelism (default 8): insert transactions in flight", true,
                (c, v) -> with(c, "jdbc-journal.parallelism = " + Integer.parseInt(v))));
        LEVERS.put("batch", new Lever("jdbc-journal.batchSize (default 400): rows per insert transaction at most; "
                + "bufferSize follows at 5 x", true, (c, v) -> with(c, "jdbc-journal.batchSize = " + Integer.parseInt(v)
                + "\njdbc-journal.bufferSize = " + 5 * Integer.parseInt(v))));
        LEVERS.put("encoding", new Lever("journal events in jackson-json (the spec's, storage.md 7.1) or "
                + "jackson-cbor (leaner; not adopted: the spec says JSON)", true, (c, v) -> with(c,
                "pekko.actor.serialization-bindings {\"org.ktestci.coordinator.journal.JsonSerializable\" = "
                        + switch (v) {
                            case "json" -> "jackson-json";
                            case "cbor" -> "jackson-cbor";
                            default -> throw new IllegalArgumentException("+encoding=json or +encoding=cbor, not " + v);
                        } + "}")));
        LEVERS.put("delay", new Lever("H2: WRITE_DELAY in ms instead of 0. NOT durable: a commit is acknowledged "
                + "before it is written, so kill -9 loses acknowledged verdicts; shows H2 without a write per commit",
                false, (c, v) -> h2Url(c, "WRITE_DELAY=0", "WRITE_DELAY=" + Integer.parseInt(v))));
    }

    /** {@code h2+cache=32+inline=256}: a base and the levers applied on it, in order. */
    record Setup(String name, Base base, List<Map.Entry<Lever, String>> levers) {
        static Setup parse(String name) {
            String[] parts = name.split("\\+");
            Base base = BASES.get(parts[0]);
            if (base == null) {
                throw new IllegalArgumentException("unknown journal '" + parts[0] + "' in '" + name + "' (one of "
                        + BASES.keySet() + ")");
            }
            List<Map.Entry<Lever, String>> levers = new ArrayList<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                Lever l = LEVERS.get(kv[0]);
                if (l == null || kv.length != 2) {
                    throw new IllegalArgumentException("unknown lever '" + parts[i] + "' in '" + name + "' (one of "
                            + LEVERS.keySet() + ", as +name=value)");
                }
                levers.add(Map.entry(l, kv[1]));
            }
            return new Setup(name, base, levers);
        }

        boolean durable() {
            return base.durable() && levers.stream().allMatch(l -> l.getKey().durable());
        }

        Config config() throws Exception {
            Config c = base.config().make();
            for (Map.Entry<Lever, String> l : levers) {
                c = l.getKey().apply().apply(c, l.getValue());
            }
            return c;
        }
    }

    private JournalBench() {
    }

    static Config with(Config base, String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(base);
    }

    /** Statements run once the tables exist, after the setup's earlier ones. */
    private static Config sql(Config base, String statement) {
        List<String> all = new ArrayList<>(base.hasPath(JournalSql.KEY) ? base.getStringList(JournalSql.KEY)
                : List.of());
        all.add(statement);
        return base.withValue(JournalSql.KEY, ConfigValueFactory.fromIterable(all));
    }

    private static Config h2Url(Config base, String from, String to) {
        String key = "pekko-persistence-jdbc.shared-databases.slick.db.url";
        String url = base.getString(key);
        if (!url.contains(from)) {
            throw new IllegalStateException("H2 URL " + url + " has no " + from);
        }
        return base.withValue(key, ConfigValueFactory.fromAnyRef(url.replace(from, to)));
    }

    private static int databases;

    /** A fresh database next to {@code KTEST_CI_TEST_PG_URL}'s: a run must not recover the previous run's window. */
    private static Config postgres() throws Exception {
        String base = System.getenv("KTEST_CI_TEST_PG_URL");
        String user = Optional.ofNullable(System.getenv("KTEST_CI_TEST_PG_USER")).orElse("postgres");
        String name = "ktest_ci_bench_" + ProcessHandle.current().pid() + "_" + (++databases);
        try (Connection c = DriverManager.getConnection(base, user, "");
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropDatabase(base, user, name)));
        String url = base.substring(0, base.lastIndexOf('/') + 1) + name;
        return JournalConfig.build(new PersistenceConfig(PersistenceConfig.Journal.POSTGRESQL, Path.of("unused"),
                Optional.of(url), user, Optional.empty()));
    }

    private static void dropDatabase(String base, String user, String name) {
        try (Connection c = DriverManager.getConnection(base, user, "");
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (Exception e) {
            System.err.println("bench: could not drop database " + name + ": " + e.getMessage());
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = 2;
        List<Integer> batches = List.of(10, 50);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--list" -> {
                    System.out.println("journals:");
                    BASES.forEach((n, b) -> System.out.printf(Locale.ROOT, "  %-8s %s%n", n, b.what()));
                    System.out.println("levers (journal+lever=value+...):");
                    LEVERS.forEach((n, l) -> System.out.printf(Locale.ROOT, "  +%-7s %s%n", n, l.what()));
                    return;
                }
                default -> {
                    try {
                        Setup.parse(args[i]);
                    } catch (IllegalArgumentException e) {
                        System.err.println("bench/run journal: " + e.getMessage());
                        System.exit(2);
                    }
                    names.add(args[i]);
                }
            }
        }
        if (names.isEmpty()) {
            names.addAll(List.of(BEFORE, "h2"));
            if (System.getenv("KTEST_CI_TEST_PG_URL") != null) {
                names.add("pg");
            }
            names.add("memory");
        }
        System.out.printf(Locale.ROOT, "verdict ingestion: %d zero-work slots on 3 hosts, real JobWindow/Executor/"
                + "CommitResults; %d round(s) of %s, batches of %s%n", 60, rounds, names, batches);
        for (String n : names) {
            System.out.printf(Locale.ROOT, "  %-30s%s%n", n, Setup.parse(n).durable() ? "" : "  [NOT durable]");
        }
        // Warm-up (not printed): the actors, and each database's code paths, so the first setup is not the JIT's.
        LeaseBench.run("warm-up (JIT)", LeaseBench.memory(), 10, 40_000, false, LeaseBench.SMALL);
        for (String base : names.stream().map(n -> n.split("\\+")[0]).distinct().filter(b -> !b.equals("memory"))
                .toList()) {
            LeaseBench.run("warm-up (JIT)", Setup.parse(base).config(), 50, 40_000, false, LeaseBench.SMALL);
        }
        Recording jfr = startRecording();
        Map<String, List<LeaseBench.Result>> figures = new LinkedHashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (int batch : batches) {
                for (String n : names) {
                    LeaseBench.Result res = LeaseBench.run(String.format(Locale.ROOT, "round %d, %s", r, n),
                            Setup.parse(n).config(), batch, verdictsFor(batch));
                    figures.computeIfAbsent(n + "@" + batch, k -> new ArrayList<>()).add(res);
                }
            }
            System.out.printf(Locale.ROOT, "load average after round %d: %.2f%n", r,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        if (jfr != null) {
            jfr.stop();
            jfr.close();
        }
        System.out.println();
        System.out.println("medians over the rounds: verdicts/s, and this JVM's CPU per verdict (robust to other load; "
                + "a PostgreSQL server's own CPU is not in it), each also as a ratio to " + names.get(0) + ":");
        for (int batch : batches) {
            List<LeaseBench.Result> ref = figures.get(names.get(0) + "@" + batch);
            double refRate = median(ref, LeaseBench.Result::verdictsPerSecond);
            double refCpu = median(ref, LeaseBench.Result::cpuMicrosPerVerdict);
            for (String n : names) {
                List<LeaseBench.Result> xs = figures.get(n + "@" + batch);
                double rate = median(xs, LeaseBench.Result::verdictsPerSecond);
                double cpu = median(xs, LeaseBench.Result::cpuMicrosPerVerdict);
                System.out.printf(Locale.ROOT, "  batches of %3d  %-34s %8.0f verdicts/s (%.2f x)  %6.0f us CPU/verdict "
                        + "(%.2f x)%n", batch, n, rate, rate / refRate, cpu, cpu / refCpu);
            }
        }
    }

    /**
     * With {@code -Dbench.jfr=FILE} ({@code bench/run journal --jfr}): a JFR recording of the measured runs only,
     * with the profile settings and every file write and fsync (their default thresholds hide the short ones).
     */
    private static Recording startRecording() throws Exception {
        String file = System.getProperty("bench.jfr");
        if (file == null) {
            return null;
        }
        Recording r = new Recording(Configuration.getConfiguration("profile"));
        r.enable("jdk.FileForce").withThreshold(java.time.Duration.ZERO);
        r.enable("jdk.FileWrite").withThreshold(java.time.Duration.ZERO);
        r.setDestination(Path.of(file));
        r.start();
        return r;
    }

    /** As many verdicts as {@code bench/run leases} asks for: 10,000, 40,000 and 100,000 for batches of 1, 10, 50. */
    private static long verdictsFor(int batch) {
        return Math.max(10_000, Math.min(100_000, batch * 4_000L));
    }

    private static double median(List<LeaseBench.Result> rs, java.util.function.ToDoubleFunction<LeaseBench.Result> f) {
        List<Double> s = new ArrayList<>(rs.stream().mapToDouble(f).boxed().toList());
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
