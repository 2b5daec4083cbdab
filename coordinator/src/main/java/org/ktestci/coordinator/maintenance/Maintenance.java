package org.ktestci.coordinator.maintenance;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.coordinator.results.ResultsIndex;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every {@code maintenance_interval} (storage.md §9): retention GC (commits outside every branch's last
 * {@code keep_results_commits} and without pending or leased jobs, once older than {@code gc_grace}: their
 * journal entries, then their files), then {@code test_durations.capnp}, then stale temporary files. At start it
 * regenerates the durations only. The work runs on the blocking dispatcher, one run at a time.
 */
public final class Maintenance {
    public sealed interface Command extends NoSerializationVerificationNeeded permits Tick, RunNow, RunDone {}

    private record Tick() implements Command {}

    /** {@code POST /api/v1/admin/gc}: with {@code dryRun} only report what would go. */
    public record RunNow(boolean dryRun, ActorRef<Report> replyTo) implements Command {}

    private record RunDone(Report report, Throwable error, ActorRef<Report> replyTo, boolean dryRun)
            implements Command {}

    /** What a run removed (or would remove): output_dir paths and journal entities. */
    public record Report(List<String> removed, int durationKeys) implements NoSerializationVerificationNeeded {}

    /** The commits within {@code keep_results_commits} of every tracked tip (git walks; blocking). */
    @FunctionalInterface
    public interface BranchCommits {
        Set<String> live() throws IOException;
    }

    public record Settings(OutputDir outputDir, Duration interval, Duration gcGrace) {}

    private static final Duration ASK = Duration.ofSeconds(30);

    private Maintenance() {
    }

    public static Behavior<Command> create(Settings s, BranchCommits branches, ResultsIndex index,
                                           ActorRef<JobWindow.Command> window, ActorRef<ResultsStore.Command> results) {
        return create(() -> s, branches, index, window, results);
    }

    /** {@code settings} is read at each run: a config reload changes the interval and the grace period. */
    public static Behavior<Command> create(Supplier<Settings> settings, BranchCommits branches,
                                           ResultsIndex index, ActorRef<JobWindow.Command> window,
                                           ActorRef<ResultsStore.Command> results) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Settings s = settings.get();
            Duration[] interval = {s.interval()};
            timers.startTimerWithFixedDelay("maintenance", new Tick(), s.interval());
            ActorSystem<?> system = ctx.getSystem();
            var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
            DurationStatistics durations = new DurationStatistics(s.outputDir());
            CompletableFuture.runAsync(() -> {
                try {
                    durations.regenerate();
                } catch (IOException e) {
                    ctx.getLog().warn("test_durations.capnp not regenerated: {}", e.getMessage());
                }
            }, blocking);
            boolean[] running = {false};
            return Behaviors.receive(Command.class)
                    .onMessage(Tick.class, t -> {
                        Settings now = settings.get();
                        if (!now.interval().equals(interval[0])) {
                            interval[0] = now.interval();
                            timers.startTimerWithFixedDelay("maintenance", new Tick(), now.interval());
                        }
                        if (!running[0]) {
                            running[0] = true;
                            run(ctx, now, branches, index, window, results, durations, false, null, blocking);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(RunNow.class, r -> {
                        if (r.dryRun()) {
                            run(ctx, settings.get(), branches, index, window, results, durations, true, r.replyTo(),
                                    blocking);
                        } else if (running[0]) {
                            r.replyTo().tell(new Report(List.of(), -1));
                        } else {
                            running[0] = true;
                            run(ctx, settings.get(), branches, index, window, results, durations, false, r.replyTo(),
                                    blocking);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(RunDone.class, d -> {
                        if (!d.dryRun()) {
                            running[0] = false;
                        }
                        if (d.error() != null) {
                            ctx.getLog().error("maintenance failed: {}", d.error().toString());
                        }
                        if (d.replyTo() != null) {
                            d.replyTo().tell(d.report() != null ? d.report() : new Report(List.of(), -1));
                        }
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static void run(ActorContext<Command> ctx, Settings s,
                            BranchCommits branches, ResultsIndex index, ActorRef<JobWindow.Command> window,
                            ActorRef<ResultsStore.Command> results, DurationStatistics durations, boolean dryRun,
                            ActorRef<Report> replyTo, Executor blocking) {
        ActorSystem<?> system = ctx.getSystem();
        CompletableFuture<Report> f = CompletableFuture.supplyAsync(() -> {
            try {
                return gc(system, s, branches, index, window, results, durations, dryRun);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, blocking);
        ctx.pipeToSelf(f, (rep, err) -> new RunDone(rep, err, replyTo, dryRun));
    }

    private static Report gc(ActorSystem<?> system, Settings s, BranchCommits branches, ResultsIndex index,
                             ActorRef<JobWindow.Command> window, ActorRef<ResultsStore.Command> results,
                             DurationStatistics durations, boolean dryRun) throws Exception {
        long now = System.currentTimeMillis();
        Set<String> live = new HashSet<>(branches.live());
        live.addAll(AskPattern.<JobWindow.Command, JobWindow.JobCommits>ask(window, JobWindow.GetJobCommits::new, ASK,
                system.scheduler()).toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS).commits());
        GarbageCollector collector = new GarbageCollector(s.outputDir());
        long grace = s.gcGrace().toMillis();
        List<GarbageCollector.Doomed> doomed = new ArrayList<>(collector.plan(live, grace, now, dryRun));
        Set<String> withFiles = new HashSet<>();
        doomed.forEach(d -> withFiles.add(d.sha()));
        for (String sha : index.commits()) {
            // Journal entities without files: gone once their last activity is past the grace period too.
            if (!live.contains(sha) && !withFiles.contains(sha) && !Files.exists(s.outputDir().root().resolve(sha))
                    && !Files.exists(s.outputDir().blob(sha)) && now - lastActivity(index, sha) > grace) {
                doomed.add(new GarbageCollector.Doomed(sha, List.of()));
            }
        }
        List<String> removed = new ArrayList<>();
        for (GarbageCollector.Doomed d : doomed) {
            d.entries().forEach(p -> removed.add(s.outputDir().root().relativize(p).toString()));
            removed.add("journal:commit-" + d.sha());
            if (dryRun) {
                continue;
            }
            ResultsStore.Forgotten fg = AskPattern.<ResultsStore.Command, ResultsStore.Forgotten>ask(results,
                    r -> new ResultsStore.Forget(d.sha(), r), ASK, system.scheduler()).toCompletableFuture()
                    .get(ASK.toSeconds(), TimeUnit.SECONDS);
            if (fg.ok()) {
                collector.remove(d);
            }
        }
        for (Path tmp : collector.staleTemporaries(now)) {
            removed.add(s.outputDir().root().relativize(tmp).toString());
            if (!dryRun) {
                Files.deleteIfExists(tmp);
            }
        }
        int keys = dryRun ? 0 : durations.regenerate();
        return new Report(List.copyOf(removed), keys);
    }

    private static long lastActivity(ResultsIndex index, String sha) {
        long last = 0;
        for (ResultRecord r : index.commit(sha).values()) {
            last = Math.max(last, r.starttime() * 1000);
        }
        return last;
    }
}
