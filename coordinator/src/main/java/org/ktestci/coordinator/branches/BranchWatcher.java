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
import org.ktestci.schema.git.UrlCredentials;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Fetches every tracked branch each {@code fetch_interval} (and on request), on the blocking dispatcher, and
 * tells the {@link JobWindow} about moved tips so new commits are scheduled at once. In {@link #standby} form it
 * runs on every coordinator node outside the singleton and only keeps that node's repos fresh (README decision 12).
 */
public final class BranchWatcher extends AbstractBehavior<BranchWatcher.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded permits FetchNow, RoundDone,
            ConfigChanged {}

    public record FetchNow() implements Command {}

    /** The config was reloaded: branches and fetch_interval are read anew, and a round starts at once. */
    public record ConfigChanged() implements Command {}

    /** What a round reports besides moved tips: fetch results, and each branch's untested commits. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void fetched(String branch, boolean ok) {
        }

        default void tipSeen(String sha, long atMillis) {
        }

        /** Runs on the blocking dispatcher after the branch was fetched (a git walk is allowed). */
        default void afterFetch(BranchSpec branch) {
        }
    }

    private record Change(String branch, String oldTip, String newTip, boolean forced) {}

    private record RoundDone(List<Change> changes) implements Command {}

    private final String user;
    private final Supplier<List<BranchSpec>> branches;
    private final Supplier<Duration> fetchInterval;
    private final Observer observer;
    private final TimerScheduler<Command> timers;
    private Duration scheduledInterval;
    private final Repositories repos;
    private final BranchFetchStatus status;
    /** Empty for a standby watcher: it fetches for this node's dashboard and tells no scheduler. */
    private final Optional<ActorRef<JobWindow.Command>> window;
    /** True while the singleton's own watcher fetches on this node: a standby watcher then rests. */
    private final BooleanSupplier resting;
    private final Executor blocking;
    private boolean fetching;
    private boolean again;

    public static Behavior<Command> create(String user, List<BranchSpec> branches, Repositories repos,
                                           BranchFetchStatus status, ActorRef<JobWindow.Command> window,
                                           Duration fetchInterval) {
        List<BranchSpec> fixed = List.copyOf(branches);
        return create(user, () -> fixed, repos, status, window, () -> fetchInterval, Observer.NONE);
    }

    /** {@code branches} and {@code fetchInterval} are read at each round: a config reload changes them. */
    public static Behavior<Command> create(String user, Supplier<List<BranchSpec>> branches, Repositories repos,
                                           BranchFetchStatus status, ActorRef<JobWindow.Command> window,
                                           Supplier<Duration> fetchInterval, Observer observer) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new BranchWatcher(ctx, timers, user, branches,
                repos, status, Optional.of(window), () -> false, fetchInterval, observer)));
    }

    /**
     * A coordinator node's own fetcher (README decision 12): read-only fetches into this node's repos every
     * {@code fetchInterval}, so a standby's dashboard and branch walks are current; moved tips go to no scheduler
     * (only the singleton schedules). While {@code singletonHere} is true its rounds are skipped: the singleton's
     * watcher fetches the same repos on this node.
     */
    public static Behavior<Command> standby(String user, Supplier<List<BranchSpec>> branches, Repositories repos,
                                            BranchFetchStatus status, Supplier<Duration> fetchInterval,
                                            Observer observer, BooleanSupplier singletonHere) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new BranchWatcher(ctx, timers, user, branches,
                repos, status, Optional.empty(), singletonHere, fetchInterval, observer)));
    }

    private BranchWatcher(ActorContext<Command> ctx, TimerScheduler<Command> timers, String user,
                          Supplier<List<BranchSpec>> branches, Repositories repos, BranchFetchStatus status,
                          Optional<ActorRef<JobWindow.Command>> window, BooleanSupplier resting,
                          Supplier<Duration> fetchInterval, Observer observer) {
        super(ctx);
        this.resting = resting;
        this.user = user;
        this.branches = branches;
        this.fetchInterval = fetchInterval;
        this.observer = observer;
        this.timers = timers;
        this.repos = repos;
        this.status = status;
        this.window = window;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        scheduledInterval = fetchInterval.get();
        timers.startTimerWithFixedDelay("fetch", new FetchNow(), scheduledInterval);
        ctx.getSelf().tell(new FetchNow());
    }

    private Behavior<Command> onConfigChanged() {
        Duration now = fetchInterval.get();
        if (!now.equals(scheduledInterval)) {
            scheduledInterval = now;
            timers.startTimerWithFixedDelay("fetch", new FetchNow(), now);
        }
        return onFetchNow();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(FetchNow.class, f -> onFetchNow())
                .onMessage(RoundDone.class, this::onRoundDone)
                .onMessage(ConfigChanged.class, c -> onConfigChanged())
                .build();
    }

    private Behavior<Command> onFetchNow() {
        if (fetching) {
            again = true;
            return this;
        }
        if (resting.getAsBoolean()) {
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
        for (BranchSpec b : branches.get()) {
            try {
                BranchFetcher.FetchResult r = BranchFetcher.fetch(repos.get(b.repoPath()), user, b);
                status.record(b.name(), Instant.now(), Optional.empty());
                observer.fetched(b.name(), true);
                if (r.changed() && r.newTip().isPresent()) {
                    observer.tipSeen(r.newTip().get().getName(), System.currentTimeMillis());
                }
                observer.afterFetch(b);
                if (r.changed() && r.newTip().isPresent()) {
                    changes.add(new Change(b.name(), r.oldTip().map(o -> o.getName()).orElse(""),
                            r.newTip().get().getName(), r.forced()));
                }
            } catch (Exception e) {
                // JGit names the URL in its messages (user or token included): the log and the dashboard's
                // last_fetch_error get it masked, like the URL itself.
                String msg = UrlCredentials.scrub(e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage(), b.fetchUrl());
                status.record(b.name(), Instant.now(), Optional.of(msg));
                observer.fetched(b.name(), false);
                LoggerFactory.getLogger(BranchWatcher.class).warn("fetch failed: branch={} url={} ref={}: {}",
                        b.name(), UrlCredentials.mask(b.fetchUrl()), b.fetchRef(), msg);
            }
        }
        return changes;
    }

    private Behavior<Command> onRoundDone(RoundDone done) {
        fetching = false;
        for (Change c : done.changes()) {
            getContext().getLog().info("branch moved: branch={} old={} new={} forced={}{}", c.branch(),
                    c.oldTip().isEmpty() ? "-" : c.oldTip(), c.newTip(), c.forced(),
                    window.isPresent() ? "" : " (standby fetch)");
            window.ifPresent(w -> w.tell(new JobWindow.TipsChanged(c.branch(), c.oldTip(), c.newTip(), c.forced())));
        }
        if (again) {
            again = false;
            onFetchNow();
        }
        return this;
    }
}
