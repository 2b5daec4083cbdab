package org.ktestci.coordinator.results;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.ktestci.schema.status.Status;
import org.ktestci.schema.status.StatusParser;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Owns every commit's per-key results and enforces "the first verdict stands": a verdict is accepted only
 * for a key that is In progress under the same lease and has none yet. Each change is mirrored into the
 * {@link ResultsIndex} and handed to the projector, which writes {@code output_dir}.
 */
public final class ResultsStore extends AbstractBehavior<ResultsStore.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded
            permits Claim, Started, Verdict, FailedToRun, Release {}

    public record ClaimedKey(String key, int attempt) {}

    public record Claim(String sha, List<ClaimedKey> keys, String leaseId, String host, int slot, String arch,
                        long atSeconds) implements Command {}

    public record Started(String sha, String key, String leaseId, long atSeconds) implements Command {}

    public record Verdict(String sha, String key, String leaseId, String statusLine, long durationSecs,
                          long startedAtSeconds, String fullLogKey, String run) implements Command {}

    /** The coordinator's own verdict when infrastructure retries are exhausted (status file {@code FAILED TO RUN}). */
    public record FailedToRun(String sha, String key, String leaseId, String reason) implements Command {}

    /** Drops the In-progress claims of a lease that ended without verdicts for these keys. */
    public record Release(String sha, List<String> keys, String leaseId, String reason) implements Command {}

    private final Map<String, Map<String, ResultRecord>> commits;
    private final ResultsIndex index;
    private final ActorRef<ResultsProjector.Command> projector;

    public static Behavior<Command> create(ResultsRecovery.Recovered recovered, ResultsIndex index,
                                           ActorRef<ResultsProjector.Command> projector) {
        return Behaviors.setup(ctx -> new ResultsStore(ctx, recovered, index, projector));
    }

    private ResultsStore(ActorContext<Command> ctx, ResultsRecovery.Recovered recovered,
                         ResultsIndex index, ActorRef<ResultsProjector.Command> projector) {
        super(ctx);
        this.commits = new HashMap<>();
        this.index = index;
        this.projector = projector;
        recovered.commits().forEach((sha, records) -> {
            commits.put(sha, new HashMap<>(records));
            index.put(sha, records);
        });
        // Runs that were In progress died with the previous process: re-render without them.
        recovered.droppedInProgress().forEach((sha, keys) -> publish(sha, keys));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Claim.class, this::onClaim)
                .onMessage(Started.class, this::onStarted)
                .onMessage(Verdict.class, this::onVerdict)
                .onMessage(FailedToRun.class, this::onFailedToRun)
                .onMessage(Release.class, this::onRelease)
                .build();
    }

    private Behavior<Command> onClaim(Claim c) {
        Map<String, ResultRecord> records = commits.computeIfAbsent(c.sha(), s -> new HashMap<>());
        for (ClaimedKey k : c.keys()) {
            ResultRecord existing = records.get(k.key());
            if (existing == null || !existing.hasVerdict()) {
                records.put(k.key(), ResultRecord.claimed(k.key(), c.leaseId(), c.host(), c.slot(), c.arch(),
                        k.attempt(), c.atSeconds()));
            }
        }
        publish(c.sha(), Set.of());
        return this;
    }

    private Behavior<Command> onStarted(Started s) {
        Map<String, ResultRecord> records = commits.get(s.sha());
        ResultRecord r = records == null ? null : records.get(s.key());
        if (r != null && !r.hasVerdict() && r.leaseId().equals(s.leaseId())) {
            records.put(s.key(), r.withStart(s.atSeconds()));
            publish(s.sha(), Set.of());
        }
        return this;
    }

    private Behavior<Command> onVerdict(Verdict v) {
        Map<String, ResultRecord> records = commits.get(v.sha());
        ResultRecord r = records == null ? null : records.get(v.key());
        if (r == null || !r.leaseId().equals(v.leaseId())) {
            getContext().getLog().warn("verdict rejected (not_claimed): commit={} key={} lease={}", v.sha(), v.key(),
                    v.leaseId());
            return this;
        }
        if (r.hasVerdict()) {
            getContext().getLog().warn("verdict rejected (duplicate): commit={} key={} lease={}", v.sha(), v.key(),
                    v.leaseId());
            return this;
        }
        Status status = StatusParser.parse(v.statusLine());
        records.put(v.key(), r.withVerdict(status, v.statusLine(), v.durationSecs(), v.startedAtSeconds(),
                v.fullLogKey(), status == Status.UNKNOWN ? "unknown_status" : "").withRun(v.run()));
        getContext().getLog().info("verdict: commit={} key={} status={} lease={} slot={}:{}", v.sha(), v.key(),
                status.display(), v.leaseId(), r.host(), r.slot());
        publish(v.sha(), Set.of());
        return this;
    }

    private Behavior<Command> onFailedToRun(FailedToRun f) {
        Map<String, ResultRecord> records = commits.get(f.sha());
        ResultRecord r = records == null ? null : records.get(f.key());
        if (r == null || r.hasVerdict() || !r.leaseId().equals(f.leaseId())) {
            return this;
        }
        records.put(f.key(), r.withVerdict(Status.FAILED_TO_RUN, "FAILED TO RUN", 0, 0, "", f.reason()));
        getContext().getLog().info("failed to run: commit={} key={} reason={} lease={}", f.sha(), f.key(), f.reason(),
                f.leaseId());
        publish(f.sha(), Set.of());
        return this;
    }

    private Behavior<Command> onRelease(Release rel) {
        Map<String, ResultRecord> records = commits.get(rel.sha());
        if (records == null) {
            return this;
        }
        Set<String> removed = new HashSet<>();
        for (String key : rel.keys()) {
            ResultRecord r = records.get(key);
            if (r != null && !r.hasVerdict() && r.leaseId().equals(rel.leaseId())) {
                records.remove(key);
                removed.add(key);
            }
        }
        if (!removed.isEmpty()) {
            getContext().getLog().info("claims released: commit={} keys={} lease={} reason={}", rel.sha(),
                    removed.size(), rel.leaseId(), rel.reason());
            publish(rel.sha(), removed);
        }
        return this;
    }

    private void publish(String sha, Set<String> removedKeys) {
        Map<String, ResultRecord> snapshot = Map.copyOf(commits.get(sha));
        index.put(sha, snapshot);
        projector.tell(new ResultsProjector.Render(sha, snapshot, removedKeys));
    }
}
