package org.ktestci.coordinator.maintenance;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Sink;
import org.ktestci.coordinator.journal.JournalConfig;
import org.ktestci.coordinator.journal.JournalSchema;
import org.ktestci.coordinator.results.CommitResults;
import org.ktestci.coordinator.results.OutputDirImport;
import org.ktestci.coordinator.results.ProjectionListener;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsProjector;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.PersistenceConfig;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code ktest-ci-coordinator rebuild-projections [--commit SHA]} and {@code import-output-dir} (storage.md
 * §7.2, §8), run with the coordinator stopped: a local actor system on the journal, the results recovered into
 * the index, then the projection re-rendered, or an existing ktest {@code output_dir} imported.
 */
public final class OfflineTools {
    private static final Duration WAIT = Duration.ofMinutes(30);

    private record Running(ActorSystem<SpawnProtocol.Command> system, ResultsIndex index, ActorRef<ResultsStore.Command> store,
                           ActorRef<ResultsProjector.Command> projector, JdbcReadJournal journal,
                           List<String> journalCommits) {}

    private OfflineTools() {
    }

    public static void rebuildProjections(CiConfig c, Optional<String> commit, PrintStream out) throws Exception {
        try (Session s = Session.open(c)) {
            Running r = s.running;
            long highest = r.journal().currentEventsByTag(CommitResults.TAG, Offset.noOffset())
                    .runWith(Sink.fold(0L, (m, env) -> Math.max(m, env.offset() instanceof Sequence q ? q.value() : 0)),
                            r.system()).toCompletableFuture().get(WAIT.toMinutes(), TimeUnit.MINUTES);
            Set<String> which = commit.map(Set::of).orElse(Set.of());
            if (commit.isPresent() && !r.index().commits().contains(commit.get())) {
                throw new IllegalArgumentException("no journal entries for commit " + commit.get());
            }
            CompletionStage<Long> done = AskPattern.ask(r.projector(),
                    reply -> new ResultsProjector.RenderNow(which, highest, reply), WAIT, r.system().scheduler());
            long stored = done.toCompletableFuture().get(WAIT.toMinutes(), TimeUnit.MINUTES);
            int n = which.isEmpty() ? r.index().commits().size() : 1;
            new DurationStatistics(new OutputDir(c.outputDir())).regenerate();
            out.println("rebuilt " + n + " commits from the journal; test_durations.capnp regenerated; "
                    + "projection offset " + stored);
        }
    }

    public static void importOutputDir(CiConfig c, PrintStream out) throws Exception {
        try (Session s = Session.open(c)) {
            Running r = s.running;
            Set<String> known = new HashSet<>(r.journalCommits());
            List<OutputDirImport.ImportedCommit> commits = OutputDirImport.read(new OutputDir(c.outputDir()));
            List<CompletableFuture<ResultsStore.ImportDone>> pending = new ArrayList<>();
            int results = 0;
            for (OutputDirImport.ImportedCommit ic : commits) {
                if (known.contains(ic.sha())) {
                    continue;
                }
                results += ic.entries().size();
                pending.add(AskPattern.<ResultsStore.Command, ResultsStore.ImportDone>ask(r.store(),
                        reply -> new ResultsStore.Import(ic.sha(), ic.entries(), c.outputDir().toString(), reply),
                        WAIT, r.system().scheduler()).toCompletableFuture());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(WAIT.toMinutes(), TimeUnit.MINUTES);
            out.println("imported " + pending.size() + " commits, " + results + " results");
        }
    }

    /** The local system with the journal, the results recovered and the projector ready. */
    private static final class Session implements AutoCloseable {
        final Running running;

        private Session(Running running) {
            this.running = running;
        }

        static Session open(CiConfig c) throws Exception {
            refuseWhileInUse(c);
            Config cfg = JournalConfig.build(c.persistence()).withFallback(ConfigFactory.parseString(
                    "pekko.actor.provider = local\npekko.loglevel = WARNING")).withFallback(ConfigFactory.load());
            ActorSystem<SpawnProtocol.Command> system = ActorSystem.create(SpawnProtocol.create(), "ktest-ci", cfg);
            try {
                JournalSchema.createIfMissing(system);
                JdbcReadJournal journal = PersistenceQuery.get(system)
                        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
                List<String> ids = journal.currentPersistenceIds().filter(id -> id.startsWith("commit-"))
                        .map(id -> id.substring("commit-".length())).runWith(Sink.seq(), system)
                        .toCompletableFuture().get(WAIT.toMinutes(), TimeUnit.MINUTES);
                ResultsIndex index = new ResultsIndex();
                OutputDir outDir = new OutputDir(c.outputDir());
                ActorRef<ResultsProjector.Command> projector = spawn(system, ResultsProjector.create(outDir, sha -> "",
                        index, offset -> journal.eventsByTag(CommitResults.TAG, Offset.sequence(offset)),
                        ProjectionListener.NONE), "results-projector", DispatcherSelector.blocking());
                CompletableFuture<ResultsStore.Ready> ready = new CompletableFuture<>();
                ActorRef<ResultsStore.Ready> readyTo = spawn(system, Behaviors.<ResultsStore.Ready>receiveMessage(m -> {
                    ready.complete(m);
                    return Behaviors.stopped();
                }), "ready", Props.empty());
                ActorRef<ResultsStore.Command> store = spawn(system, ResultsStore.create(index, outDir,
                        sys -> CompletableFuture.completedFuture(ids), projector, readyTo), "results-store",
                        Props.empty());
                ready.get(WAIT.toMinutes(), TimeUnit.MINUTES);
                return new Session(new Running(system, index, store, projector, journal, ids));
            } catch (Exception e) {
                system.terminate();
                throw e;
            }
        }

        /**
         * An H2 journal another process has open (a running coordinator) is locked; say so at once instead of
         * waiting for the connection pool's 30 s timeout.
         */
        private static void refuseWhileInUse(CiConfig c) throws IOException {
            if (c.persistence().journal() != PersistenceConfig.Journal.H2) {
                return;
            }
            Path file = Path.of(c.persistence().h2File() + ".mv.db");
            if (!Files.exists(file)) {
                return;
            }
            String inUse = "the journal " + file + " is in use: stop the coordinator first";
            try (var ch = FileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                var lock = ch.tryLock();
                if (lock == null) {
                    throw new IllegalArgumentException(inUse);
                }
                lock.release();
            } catch (OverlappingFileLockException e) {
                throw new IllegalArgumentException(inUse);
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException("cannot write the journal " + file
                        + ": run this as the coordinator's user");
            }
        }

        private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system,
                                             Behavior<T> behavior, String name,
                                             Props props) throws Exception {
            return AskPattern.<SpawnProtocol.Command, ActorRef<T>>ask(system,
                    reply -> new SpawnProtocol.Spawn<>(behavior, name, props, reply),
                    Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            running.system().terminate();
            running.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }
}
