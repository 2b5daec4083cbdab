package org.ktestci.coordinator.notify;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.testing.InMemoryJournal;
import org.ktestci.schema.config.NotifyConfig;
import org.ktestci.schema.events.RegressionEvent;
import org.ktestci.schema.events.RegressionEvent.CommitRef;
import org.ktestci.schema.events.RegressionEvent.Fixed;
import org.ktestci.schema.events.RegressionEvent.NewFailure;

import java.net.URI;
import java.time.Duration;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The notifier on Pekko's in-memory journal (issue 14 item 8): each event is announced once, also across a
 * restart; a branch is baselined when first seen; switching webhooks off and on again starts a new baseline.
 */
class NotifierTest {
    private static final ActorTestKit KIT = ActorTestKit.create("NotifierTest", InMemoryJournal.config());
    private static final NotifyConfig ON = new NotifyConfig(List.of(URI.create("http://127.0.0.1:1/")), Optional.empty());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    final AtomicReference<NotifyConfig> config = new AtomicReference<>(ON);
    final Map<String, List<RegressionEvent>> events = new ConcurrentHashMap<>();
    final List<String> branches = new CopyOnWriteArrayList<>(List.of("main"));
    final List<String> announced = new CopyOnWriteArrayList<>();
    /** Scans so far: a scan starts only once the previous one's events are persisted. */
    final AtomicInteger scans = new AtomicInteger();

    Optional<List<RegressionEvent>> source(String branch) {
        return Optional.ofNullable(events.get(branch));
    }

    /** Read once at the start of every scan. */
    NotifyConfig config() {
        scans.incrementAndGet();
        return config.get();
    }

    static RegressionEvent failure(String branch, int commit) {
        String sha = String.format("%040x", commit);
        return new NewFailure(branch, "k.a", new CommitRef(sha, "s" + commit, "a"), Optional.empty(), 1000 + commit,
                Optional.empty());
    }

    static RegressionEvent fix(String branch, int commit) {
        String sha = String.format("%040x", commit);
        return new Fixed(branch, "k.a", new CommitRef(sha, "s" + commit, "a"), String.format("%040x", commit - 1),
                1000 + commit);
    }

    /** Newest first, as the feed derives them. */
    void set(String branch, RegressionEvent... newestFirst) {
        events.put(branch, List.of(newestFirst));
    }

    ActorRef<Notifier.Command> start() {
        // A long interval: the test sends the ticks (and recovery sends the first).
        return KIT.spawn(Notifier.create(new Notifier.Inputs(this::config, () -> List.copyOf(branches),
                this::source, e -> announced.add(e.id()), Duration.ofHours(1))));
    }

    /**
     * Ticks until two more scans than now have run (so one that saw the current events has completed, its ids
     * persisted), then until {@code expected} is what was announced, or fails after a deadline.
     */
    void expect(ActorRef<Notifier.Command> n, List<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int target = scans.get() + 2;
        while (scans.get() < target || !announced.equals(expected)) {
            if (System.nanoTime() > deadline) {
                assertEquals(expected, announced);
                throw new AssertionError("too few scans: " + scans.get() + " < " + target);
            }
            n.tell(new Notifier.Tick());
            Thread.sleep(20);
        }
        int more = scans.get() + 2; // and nothing more after a few more scans
        while (scans.get() < more) {
            n.tell(new Notifier.Tick());
            Thread.sleep(20);
        }
        assertEquals(expected, announced);
    }

    @Test
    void eachEventIsAnnouncedOnceAlsoAcrossARestart() throws Exception {
        RegressionEvent old = failure("main", 1);
        set("main", old);
        ActorRef<Notifier.Command> n = start();
        expect(n, List.of()); // the first scan baselines main: its history is not sent

        RegressionEvent f2 = fix("main", 2);
        RegressionEvent f3 = failure("main", 3);
        set("main", f3, f2, old);
        expect(n, List.of(f2.id(), f3.id())); // oldest first

        KIT.stop(n);
        RegressionEvent f4 = fix("main", 4);
        set("main", f4, f3, f2, old);
        ActorRef<Notifier.Command> again = start();
        expect(again, List.of(f2.id(), f3.id(), f4.id())); // recovered: only the new one

        // A branch added by a config reload is baselined on its own; main goes on.
        branches.add("next");
        set("next", failure("next", 7));
        expect(again, List.of(f2.id(), f3.id(), f4.id()));
        RegressionEvent n8 = fix("next", 8);
        set("next", n8, failure("next", 7));
        expect(again, List.of(f2.id(), f3.id(), f4.id(), n8.id()));
        KIT.stop(again);
    }

    @Test
    void switchingWebhooksOffAndOnStartsFromANewBaseline() throws Exception {
        String branch = "other";
        branches.clear();
        branches.add(branch);
        set(branch, failure(branch, 1));
        ActorRef<Notifier.Command> n = KIT.spawn(Notifier.create(new Notifier.Inputs(this::config,
                () -> List.copyOf(branches), this::source, e -> announced.add(e.id()),
                Duration.ofHours(1))), "notifier-off-on");
        expect(n, List.of());
        RegressionEvent f2 = fix(branch, 2);
        set(branch, f2, failure(branch, 1));
        expect(n, List.of(f2.id()));

        config.set(NotifyConfig.none());
        RegressionEvent whileOff = failure(branch, 3);
        set(branch, whileOff, f2, failure(branch, 1));
        expect(n, List.of(f2.id()));
        config.set(ON);
        expect(n, List.of(f2.id())); // what happened while off is the new baseline, not a flood
        RegressionEvent f4 = fix(branch, 4);
        set(branch, f4, whileOff, f2, failure(branch, 1));
        expect(n, List.of(f2.id(), f4.id()));
        KIT.stop(n); // the tests share the journal and the persistence id: one notifier at a time
    }


    @Test
    void aScanWhoseInputsDidNotChangeDerivesNothing() throws Exception {
        branches.clear();
        branches.add("quiet");
        set("quiet", failure("quiet", 1));
        AtomicInteger derivations = new AtomicInteger();
        AtomicReference<String> version = new AtomicReference<>("v1");
        ActorRef<Notifier.Command> n = KIT.spawn(Notifier.create(new Notifier.Inputs(this::config,
                () -> List.copyOf(branches), b -> {
                    derivations.incrementAndGet();
                    return source(b);
                }, e -> announced.add(e.id()), Duration.ofHours(1), version::get)), "notifier-version");
        expect(n, List.of());
        int derived = derivations.get();
        assertEquals(1, derived, "the first scan derives; the next ones see the same version");
        RegressionEvent f2 = fix("quiet", 2);
        set("quiet", f2, failure("quiet", 1));
        expect(n, List.of()); // nothing told the notifier that anything changed
        assertEquals(derived, derivations.get());
        version.set("v2");
        expect(n, List.of(f2.id()));
        assertEquals(derived + 1, derivations.get());
        KIT.stop(n);
    }
}
