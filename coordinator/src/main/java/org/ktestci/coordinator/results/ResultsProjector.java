package org.ktestci.coordinator.results;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes {@code output_dir} from the results index (storage.md §7.2). Commits are marked dirty twice: at once by
 * their entity after each persisted event (low latency), and by the journal's {@code results}-tagged event
 * stream, which resumes from the stored offset after a crash so no persisted event is ever left unrendered.
 * Dirty commits are rendered every 250 ms from their current state, which makes replay idempotent; the offset
 * is stored after the render. Runs on the blocking dispatcher: its whole job is file I/O.
 */
public final class ResultsProjector extends AbstractBehavior<ResultsProjector.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits IndexReady, Dirty, Tagged, StreamStarted, StreamEnded, Flush, RenderNow {}

    /** Renders these commits now (all of the index when empty) and answers with the journal offset stored. */
    public record RenderNow(Set<String> commits, long offset, ActorRef<Long> replyTo) implements Command {}

    /** The index holds every commit: rendering may start (a partial index would write partial blobs). */
    public record IndexReady() implements Command {}

    /** An entity persisted an event for {@code sha}; {@code removedKeys} may need their directories deleted. */
    public record Dirty(String sha, Set<String> removedKeys) implements Command {}

    private record Tagged(String sha, Set<String> removedKeys, long offset, ActorRef<Ack> ackTo) implements Command {}

    private record StreamStarted(ActorRef<Ack> ackTo) implements Command {}

    private record StreamEnded(Throwable error) implements Command {}

    private record Flush() implements Command {}

    enum Ack { INSTANCE }

    /** The source of {@code results}-tagged events from an offset (the JDBC read journal in production). */
    @FunctionalInterface
    public interface TaggedEvents extends Function<Long, Source<EventEnvelope, NotUsed>> {
    }

    private static final Duration COALESCE = Duration.ofMillis(250);

    private final CommitProjection projection;
    private final ResultsIndex index;
    private final TimerScheduler<Command> timers;
    private final TaggedEvents events;
    private final ProjectionOffset offsetFile;
    private final Map<String, Set<String>> dirty = new LinkedHashMap<>();
    private boolean ready;
    /** Read by the event stream when it restarts, hence volatile. */
    private volatile long seenOffset;
    private long storedOffset;

    public static Behavior<Command> create(OutputDir outputDir, CommitMessages messages, ResultsIndex index,
                                           TaggedEvents events, ProjectionListener listener) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ResultsProjector(ctx, timers,
                new CommitProjection(outputDir, messages, listener), index, events,
                new ProjectionOffset(outputDir.root()))));
    }

    private ResultsProjector(ActorContext<Command> ctx, TimerScheduler<Command> timers, CommitProjection projection,
                             ResultsIndex index, TaggedEvents events, ProjectionOffset offsetFile) {
        super(ctx);
        this.timers = timers;
        this.projection = projection;
        this.index = index;
        this.events = events;
        this.offsetFile = offsetFile;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(IndexReady.class, r -> onReady())
                .onMessage(Dirty.class, d -> markDirty(d.sha(), d.removedKeys()))
                .onMessage(StreamStarted.class, s -> {
                    s.ackTo().tell(Ack.INSTANCE);
                    return this;
                })
                .onMessage(Tagged.class, this::onTagged)
                .onMessage(StreamEnded.class, this::onStreamEnded)
                .onMessage(Flush.class, f -> onFlush())
                .onMessage(RenderNow.class, this::onRenderNow)
                .build();
    }

    private Behavior<Command> onReady() {
        ready = true;
        storedOffset = offsetFile.read();
        seenOffset = storedOffset;
        getContext().getLog().info("projection resumes after journal offset {}", storedOffset);
        // A projection is rebuilt from the journal if missing: commits whose blob is gone render again now.
        int missing = 0;
        for (String sha : index.commits()) {
            if (!Files.exists(projection.blobPath(sha))) {
                dirty.computeIfAbsent(sha, s -> new HashSet<>());
                missing++;
            }
        }
        if (missing > 0) {
            getContext().getLog().info("re-rendering {} commits whose results blob is missing", missing);
        }
        Source<Tagged, NotUsed> tagged = RestartSource.withBackoff(
                RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
                () -> events.apply(seenOffset).map(ResultsProjector::tagged));
        tagged.runWith(ActorSink.actorRefWithBackpressure(getContext().getSelf(),
                (ActorRef<Ack> ackTo, Tagged t) -> new Tagged(t.sha(), t.removedKeys(), t.offset(), ackTo),
                StreamStarted::new, Ack.INSTANCE, new StreamEnded(null), StreamEnded::new), getContext().getSystem());
        scheduleFlush();
        return this;
    }

    private static Tagged tagged(EventEnvelope env) {
        long offset = env.offset() instanceof Sequence s ? s.value() : 0;
        Set<String> removed = Set.of();
        String sha = env.persistenceId().substring(CommitEntity.PERSISTENCE_PREFIX.length());
        if (env.event() instanceof CommitEvent.ClaimReleased r) {
            removed = Set.copyOf(r.keys());
        } else if (env.event() instanceof CommitEvent.ResultsCleared c) {
            removed = Set.copyOf(c.keys());
        }
        return new Tagged(sha, removed, offset, null);
    }

    private Behavior<Command> onTagged(Tagged t) {
        seenOffset = Math.max(seenOffset, t.offset());
        markDirty(t.sha(), t.removedKeys());
        t.ackTo().tell(Ack.INSTANCE);
        return this;
    }

    private Behavior<Command> onStreamEnded(StreamEnded e) {
        if (e.error() != null) {
            getContext().getLog().error("results event stream ended: {}", e.error().toString());
        }
        return this;
    }

    private Behavior<Command> markDirty(String sha, Set<String> removedKeys) {
        dirty.computeIfAbsent(sha, s -> new HashSet<>()).addAll(removedKeys);
        if (ready) {
            scheduleFlush();
        }
        return this;
    }

    private void scheduleFlush() {
        if (!timers.isTimerActive("flush") && !dirty.isEmpty()) {
            timers.startSingleTimer("flush", new Flush(), COALESCE);
        }
    }

    private Behavior<Command> onRenderNow(RenderNow r) {
        Set<String> which = r.commits().isEmpty() ? index.commits() : r.commits();
        which.forEach(sha -> dirty.computeIfAbsent(sha, s -> new HashSet<>()));
        seenOffset = Math.max(seenOffset, r.offset());
        onFlush();
        r.replyTo().tell(storedOffset);
        return this;
    }

    private Behavior<Command> onFlush() {
        long upTo = seenOffset;
        Map<String, Set<String>> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> e : dirty.entrySet()) {
            String sha = e.getKey();
            try {
                projection.render(sha, Map.copyOf(index.commit(sha)), e.getValue());
            } catch (IOException | RuntimeException ex) {
                // Tried again at the next flush; the stored offset stays behind it meanwhile.
                failed.put(sha, e.getValue());
                getContext().getLog().error("projection failed: commit={}: {}", sha, ex.toString());
            }
        }
        dirty.clear();
        if (failed.isEmpty() && upTo > storedOffset) {
            try {
                offsetFile.write(upTo);
                storedOffset = upTo;
            } catch (IOException ex) {
                getContext().getLog().error("cannot store the projection offset: {}", ex.toString());
            }
        }
        if (!failed.isEmpty()) {
            dirty.putAll(failed);
            timers.startSingleTimer("flush", new Flush(), Duration.ofSeconds(5));
        }
        return this;
    }
}
