package org.ktestci.coordinator.results;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code output_dir} from the current results of dirty commits, at most every 250 ms, so a burst of
 * verdicts costs one blob rewrite. Runs on the blocking dispatcher: its whole job is file I/O.
 */
public final class ResultsProjector extends AbstractBehavior<ResultsProjector.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded permits Render, Flush {}

    public record Render(String sha, Map<String, ResultRecord> records, Set<String> removedKeys) implements Command {}

    private record Flush() implements Command {}

    private static final Duration COALESCE = Duration.ofMillis(250);

    private final CommitProjection projection;
    private final TimerScheduler<Command> timers;
    private final Map<String, Map<String, ResultRecord>> dirty = new LinkedHashMap<>();
    private final Map<String, Set<String>> dirtyRemovals = new HashMap<>();

    public static Behavior<Command> create(OutputDir outputDir, CommitMessages messages) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new ResultsProjector(ctx, timers, new CommitProjection(outputDir, messages))));
    }

    private ResultsProjector(ActorContext<Command> ctx, TimerScheduler<Command> timers, CommitProjection projection) {
        super(ctx);
        this.timers = timers;
        this.projection = projection;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Render.class, this::onRender)
                .onMessage(Flush.class, f -> onFlush())
                .build();
    }

    private Behavior<Command> onRender(Render r) {
        dirty.put(r.sha(), r.records());
        dirtyRemovals.computeIfAbsent(r.sha(), s -> new HashSet<>()).addAll(r.removedKeys());
        if (!timers.isTimerActive("flush")) {
            timers.startSingleTimer("flush", new Flush(), COALESCE);
        }
        return this;
    }

    private Behavior<Command> onFlush() {
        for (Map.Entry<String, Map<String, ResultRecord>> e : dirty.entrySet()) {
            String sha = e.getKey();
            try {
                projection.render(sha, e.getValue(), dirtyRemovals.getOrDefault(sha, Set.of()));
            } catch (IOException | RuntimeException ex) {
                // The state stays in memory; the next change to this commit renders it again.
                getContext().getLog().error("projection failed: commit={}: {}", sha, ex.toString());
            }
        }
        dirty.clear();
        dirtyRemovals.clear();
        return this;
    }
}
