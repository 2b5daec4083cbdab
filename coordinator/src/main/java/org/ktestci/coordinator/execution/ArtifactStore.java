package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.WireRules;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes uploaded log artifacts into {@code output_dir} (protocol.md §4.3): each chunk at its offset into
 * {@code .<name>.<lease>.<iteration>.part}, fsync'ed and renamed over {@code log.br} / {@code full_log.br} once
 * complete. A chunk is answered once written, so the executor acknowledges only what is on disk. Runs on the
 * blocking dispatcher. Chunks come from executors, which checked them ({@code LeaseMessageCheck}); one that is
 * still out of its artifact is answered as not written. The store keeps no state between messages, so a failure
 * restarts it and the executor whose write went unanswered rewinds after its timeout.
 */
public final class ArtifactStore extends AbstractBehavior<ArtifactStore.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded permits Write, DiscardPartial {}

    /**
     * {@code observation} n ≥ 1: a re-run's artifact (issue 14), kept beside the verdict's as
     * {@code rerun-<n>.log.br} / {@code rerun-<n>.full_log.br} instead of replacing it.
     */
    public record Write(String sha, LogChunk chunk, long token, ActorRef<Written> replyTo, int observation)
            implements Command {
        public Write(String sha, LogChunk chunk, long token, ActorRef<Written> replyTo) {
            this(sha, chunk, token, replyTo, 0);
        }
    }

    /** {@code complete}: the chunk finished its artifact and the file was renamed into place. */
    public record Written(boolean ok, boolean complete, long token) implements NoSerializationVerificationNeeded {}

    /** A lease ended: its unfinished {@code .part} files go. */
    public record DiscardPartial(String sha, String leaseId, List<String> keys) implements Command {}

    private final OutputDir out;

    public static Behavior<Command> create(OutputDir out) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new ArtifactStore(ctx, out)))
                .onFailure(SupervisorStrategy.restart());
    }

    private ArtifactStore(ActorContext<Command> ctx, OutputDir out) {
        super(ctx);
        this.out = out;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Write.class, this::onWrite)
                .onMessage(DiscardPartial.class, this::onDiscard)
                .build();
    }

    private Behavior<Command> onWrite(Write w) {
        LogChunk c = w.chunk();
        long end = c.offset() + (long) c.data().length;
        if (c.offset() < 0 || c.offset() > c.totalSize() - c.data().length || !WireRules.resultKey(c.resultKey())
                || !WireRules.leaseId(c.leaseId()) || !OutputDir.isSha(w.sha())) {
            getContext().getLog().warn("artifact chunk refused: commit={} key={} lease={} bytes {}..{} of {}",
                    WireRules.quote(w.sha()), WireRules.quote(c.resultKey()), WireRules.quote(c.leaseId()),
                    c.offset(), end, c.totalSize());
            w.replyTo().tell(new Written(false, false, w.token()));
            return this;
        }
        String name = OutputDir.rerunArtifact(w.observation(),
                LogChunk.KIND_FULL_LOG.equals(c.kind()) ? OutputDir.FULL_LOG : OutputDir.LOG);
        Path dir = out.keyDir(w.sha(), c.resultKey());
        Path part = dir.resolve(partName(name, c.leaseId(), c.iteration()));
        boolean complete = false;
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(c.data());
                long pos = c.offset();
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
            if (c.eof()) {
                long size = Files.size(part);
                if (size == c.totalSize()) {
                    AtomicFiles.commit(part, dir.resolve(name));
                    complete = true;
                } else {
                    getContext().getLog().warn("artifact incomplete: commit={} key={} kind={} lease={} size={} expected={}",
                            w.sha(), c.resultKey(), c.kind(), c.leaseId(), size, c.totalSize());
                    Files.deleteIfExists(part);
                }
            }
            w.replyTo().tell(new Written(true, complete, w.token()));
        } catch (IOException e) {
            // No answer: the executor does not acknowledge the chunk, and the worker sends it again.
            getContext().getLog().error("artifact write failed: commit={} key={} kind={} lease={}: {}", w.sha(),
                    c.resultKey(), c.kind(), c.leaseId(), e.toString());
        }
        return this;
    }

    private Behavior<Command> onDiscard(DiscardPartial d) {
        for (String key : d.keys()) {
            Path dir = out.keyDir(d.sha(), key);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, ".*." + d.leaseId() + ".*.part")) {
                for (Path p : parts) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                getContext().getLog().warn("cannot remove partial artifacts: commit={} key={} lease={}: {}", d.sha(),
                        key, d.leaseId(), e.toString());
            }
        }
        return this;
    }

    static String partName(String name, String leaseId, int iteration) {
        return "." + name + "." + leaseId + "." + iteration + ".part";
    }
}
