package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.ktestci.protocol.LogChunk;
import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes uploaded log artifacts into {@code output_dir} (protocol.md §4.3): each chunk at its offset into
 * {@code .<name>.<lease>.<iteration>.part}, renamed over {@code log.br} / {@code full_log.br} once complete.
 * Runs on the blocking dispatcher.
 */
public final class ArtifactStore extends AbstractBehavior<ArtifactStore.Command> {
    public sealed interface Command extends NoSerializationVerificationNeeded permits Write {}

    public record Write(String sha, LogChunk chunk) implements Command {}

    private final OutputDir out;

    public static Behavior<Command> create(OutputDir out) {
        return Behaviors.setup(ctx -> new ArtifactStore(ctx, out));
    }

    private ArtifactStore(ActorContext<Command> ctx, OutputDir out) {
        super(ctx);
        this.out = out;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(Write.class, this::onWrite).build();
    }

    private Behavior<Command> onWrite(Write w) {
        LogChunk c = w.chunk();
        String name = LogChunk.KIND_FULL_LOG.equals(c.kind()) ? OutputDir.FULL_LOG : OutputDir.LOG;
        Path dir = out.keyDir(w.sha(), c.resultKey());
        Path part = dir.resolve("." + name + "." + c.leaseId() + "." + c.iteration() + ".part");
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
                } else {
                    getContext().getLog().warn("artifact incomplete: commit={} key={} kind={} lease={} size={} expected={}",
                            w.sha(), c.resultKey(), c.kind(), c.leaseId(), size, c.totalSize());
                    Files.deleteIfExists(part);
                }
            }
        } catch (IOException e) {
            getContext().getLog().error("artifact write failed: commit={} key={} kind={} lease={}: {}", w.sha(),
                    c.resultKey(), c.kind(), c.leaseId(), e.toString());
        }
        return this;
    }
}
