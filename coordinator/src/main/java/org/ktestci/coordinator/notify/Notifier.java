package org.ktestci.coordinator.notify;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.ktestci.coordinator.journal.JsonSerializable;
import org.ktestci.coordinator.notify.NotifierEvent.BranchesBaselined;
import org.ktestci.coordinator.notify.NotifierEvent.EventsAnnounced;
import org.ktestci.coordinator.notify.NotifierEvent.WebhooksDisabled;
import org.ktestci.schema.config.NotifyConfig;
import org.ktestci.schema.events.RegressionEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Announces each branch's new regression events to the webhooks once (issue 14 item 8). Every {@code interval},
 * while {@code webhook_urls} is not empty, it derives the branches' events (on the blocking dispatcher) exactly as
 * the feed does, persists the ids it has not announced yet, and only then hands the events to the sender: a
 * restarted coordinator, or the singleton moved to another node, recovers the ids and does not send them again.
 * Delivery is therefore at most once per receiver: an event whose delivery was outstanding when the coordinator
 * stopped is not retried after the restart.
 *
 * <p>A branch first seen with webhooks on (or every branch, when they are switched on) is baselined: its current
 * events are recorded without being sent, so switching webhooks on does not replay history. The announced ids are
 * bounded to the newest {@value #MAX_IDS}; a branch's derivation never reaches further back than its
 * {@code keep_results_commits}.
 */
public final class Notifier extends EventSourcedBehavior<Notifier.Command, NotifierEvent, Notifier.State> {
    public static final String PERSISTENCE_ID = "notifier";
    static final int MAX_IDS = 20_000;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    /** Local to the coordinator singleton: never crosses the wire. */
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits Tick, Scanned, Unchanged, ScanFailed {}

    /** Derive the events now (the timer sends it every interval; tests may too). */
    public record Tick() implements Command {}

    private record Scanned(boolean enabled, Map<String, List<RegressionEvent>> events, String version)
            implements Command {}

    private record Unchanged() implements Command {}

    private record ScanFailed(Throwable error) implements Command {}

    /** A branch's events, newest first; empty when the branch is no longer tracked. May block. */
    @FunctionalInterface
    public interface EventSource {
        Optional<List<RegressionEvent>> events(String branch);
    }

    /**
     * What the notifier reads and where its announcements go. {@code version} changes whenever anything the events
     * are derived from may have changed (cheap: no history walks); a scan whose version is the previous scan's is
     * skipped, except once per {@value #FORCED_SCAN_SECONDS} s.
     */
    public record Inputs(Supplier<NotifyConfig> config, Supplier<List<String>> branches, EventSource events,
                         Consumer<RegressionEvent> announce, Duration interval, Supplier<String> version) {
        /** Without a version: every tick scans. */
        public Inputs(Supplier<NotifyConfig> config, Supplier<List<String>> branches, EventSource events,
                      Consumer<RegressionEvent> announce, Duration interval) {
            this(config, branches, events, announce, interval, () -> Long.toString(System.nanoTime()));
        }
    }

    static final long FORCED_SCAN_SECONDS = 60;

    /** Branches baselined since webhooks were last switched on, and the ids announced, oldest first. */
    public record State(List<String> branches, List<String> announced) implements JsonSerializable {
        State apply(NotifierEvent e) {
            if (e instanceof WebhooksDisabled) {
                return new State(List.of(), announced);
            }
            List<String> b = branches;
            List<String> ids;
            if (e instanceof BranchesBaselined bb) {
                Set<String> all = new LinkedHashSet<>(branches);
                all.addAll(bb.branches());
                b = List.copyOf(all);
                ids = bb.ids();
            } else {
                ids = ((EventsAnnounced) e).ids();
            }
            LinkedHashSet<String> next = new LinkedHashSet<>(announced);
            next.addAll(ids);
            List<String> out = new ArrayList<>(next);
            return new State(b, List.copyOf(out.subList(Math.max(0, out.size() - MAX_IDS), out.size())));
        }
    }

    private final ActorContext<Command> ctx;
    private final Inputs in;
    private boolean scanning;
    /** The version and time of the last completed scan (read by the next scan, which runs after it). */
    private volatile String lastVersion = "";
    private volatile long lastScanNanos;

    public static Behavior<Command> create(Inputs in) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(new Tick(), in.interval());
            return new Notifier(ctx, in);
        }));
    }

    private Notifier(ActorContext<Command> ctx, Inputs in) {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.ctx = ctx;
        this.in = in;
    }

    @Override
    public State emptyState() {
        return new State(List.of(), List.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(200, 2);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), s -> ctx.getSelf().tell(new Tick()))
                .build();
    }

    @Override
    public CommandHandler<Command, NotifierEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Tick.class, (state, t) -> {
                    if (!scanning) {
                        scanning = true;
                        ctx.pipeToSelf(CompletableFuture.supplyAsync(this::scan,
                                        ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
                                (result, err) -> err == null ? result : new ScanFailed(err));
                    }
                    return Effect().none();
                })
                .onCommand(Unchanged.class, (state, u) -> {
                    scanning = false;
                    return Effect().none();
                })
                .onCommand(ScanFailed.class, (state, f) -> {
                    scanning = false;
                    ctx.getLog().warn("notifier scan failed: {}", f.error().toString());
                    return Effect().none();
                })
                .onCommand(Scanned.class, this::onScanned)
                .build();
    }

    /** Blocking: git walks and blobs. Nothing is derived while webhooks are off or nothing changed. */
    private Command scan() {
        if (!in.config().get().enabled()) {
            return new Scanned(false, Map.of(), "");
        }
        String version = in.version().get();
        if (version.equals(lastVersion)
                && System.nanoTime() - lastScanNanos < Duration.ofSeconds(FORCED_SCAN_SECONDS).toNanos()) {
            return new Unchanged();
        }
        Map<String, List<RegressionEvent>> out = new LinkedHashMap<>();
        for (String branch : in.branches().get()) {
            in.events().events(branch).ifPresent(events -> out.put(branch, events));
        }
        return new Scanned(true, out, version);
    }

    private Effect<NotifierEvent, State> onScanned(State state, Scanned s) {
        scanning = false;
        lastVersion = s.version();
        lastScanNanos = System.nanoTime();
        if (!s.enabled()) {
            return state.branches().isEmpty() ? Effect().none()
                    : Effect().persist(new WebhooksDisabled(System.currentTimeMillis()));
        }
        Set<String> announced = new HashSet<>(state.announced());
        Set<String> baselined = new HashSet<>(state.branches());
        List<String> newBranches = new ArrayList<>();
        List<String> baselineIds = new ArrayList<>();
        List<RegressionEvent> fresh = new ArrayList<>();
        s.events().forEach((branch, events) -> {
            if (!baselined.contains(branch)) {
                newBranches.add(branch);
                events.forEach(e -> {
                    if (announced.add(e.id())) {
                        baselineIds.add(e.id());
                    }
                });
                return;
            }
            for (int i = events.size() - 1; i >= 0; i--) { // oldest first
                if (announced.add(events.get(i).id())) {
                    fresh.add(events.get(i));
                }
            }
        });
        List<NotifierEvent> persist = new ArrayList<>();
        long now = System.currentTimeMillis();
        if (!newBranches.isEmpty()) {
            persist.add(new BranchesBaselined(newBranches, baselineIds, now));
            ctx.getLog().info("notifier baselined: branches={} events={}", newBranches, baselineIds.size());
        }
        if (!fresh.isEmpty()) {
            persist.add(new EventsAnnounced(fresh.stream().map(RegressionEvent::id).toList(), now));
        }
        if (persist.isEmpty()) {
            return Effect().none();
        }
        return Effect().persist(persist).thenRun(st -> fresh.forEach(in.announce()));
    }

    @Override
    public EventHandler<State, NotifierEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }
}
