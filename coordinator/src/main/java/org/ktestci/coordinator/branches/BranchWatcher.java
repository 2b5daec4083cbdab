package org.ktestci.coordinator.branches;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Fetches every tracked branch each {@code fetch_interval} (and on request), on the blocking dispatcher, and
 * tells the {@link JobWindow} about moved tips so new commits are scheduled at once.
 */
public final class BranchWatcher extends AbstractBehavior<BranchWatcher.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded permits FetchNow, RoundDone {}

    public record FetchNow() implements Command {}

    private record Change(String branch, String oldTip, String newTip, boolean forced) {}

    private record RoundDone(List<Change> changes) implements Command {}

    private final String user;
    private final List<BranchSpec> branches;
    private final Repositories repos;
    private final BranchFetchStatus status;
    private final ActorRef<JobWindow.Command> window;
    private final Executor blocking;
    private boolean fetching;
    private boolean again;

    public static Behavior<Command> create(String user, List<BranchSpec> branches, Repositories repos,
                                           BranchFetchStatus status, ActorRef<JobWindow.Command> window,
                                           Duration fetchInterval) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new BranchWatcher(ctx, timers, user, branches, repos, status, window, fetchInterval)));
    }

    private BranchWatcher(ActorContext<Command> ctx, TimerScheduler<Command> timers, String user,
                          List<BranchSpec> branches, Repositories repos, BranchFetchStatus status,
                          ActorRef<JobWindow.Command> window, Duration fetchInterval) {
        super(ctx);
        this.user = user;
        this.branches = List.copyOf(branches);
        this.repos = repos;
        this.status = status;
        this.window = window;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        timers.startTimerWithFixedDelay("fetch", new FetchNow(), fetchInterval);
        ctx.getSelf().tell(new FetchNow());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FetchNow.class, f -> onFetchNow())
                .onMessage(RoundDone.class, this::onRoundDone)
                .build();
    }

    private Behavior<Command> onFetchNow() {
        if (fetching) {
            again = true;
            return this;
        }
        fetching = true;
        getContext().pipeToSelf(CompletableFuture.supplyAsync(this::fetchAll, blocking),
                (changes, err) -> new RoundDone(err == null ? changes : List.of()));
        return this;
    }

    /** Runs on the blocking dispatcher; touches only thread-safe collaborators. */
    private List<Change> fetchAll() {
        List<Change> changes = new ArrayList<>();
        for (BranchSpec b : branches) {
            try {
                BranchFetcher.FetchResult r = BranchFetcher.fetch(repos.get(b.repoPath()), user, b);
                status.record(b.name(), Instant.now(), Optional.empty());
                if (r.changed() && r.newTip().isPresent()) {
                    changes.add(new Change(b.name(), r.oldTip().map(o -> o.getName()).orElse(""),
                            r.newTip().get().getName(), r.forced()));
                }
            } catch (Exception e) {
                String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                status.record(b.name(), Instant.now(), Optional.of(msg));
                org.slf4j.LoggerFactory.getLogger(BranchWatcher.class)
                        .warn("fetch failed: branch={} url={} ref={}: {}", b.name(), b.fetchUrl(), b.fetchRef(), msg);
            }
        }
        return changes;
    }

    private Behavior<Command> onRoundDone(RoundDone done) {
        fetching = false;
        for (Change c : done.changes()) {
            getContext().getLog().info("branch moved: branch={} old={} new={} forced={}", c.branch(),
                    c.oldTip().isEmpty() ? "-" : c.oldTip(), c.newTip(), c.forced());
            window.tell(new JobWindow.TipsChanged(c.branch(), c.oldTip(), c.newTip(), c.forced()));
        }
        if (again) {
            again = false;
            onFetchNow();
        }
        return this;
    }
}
