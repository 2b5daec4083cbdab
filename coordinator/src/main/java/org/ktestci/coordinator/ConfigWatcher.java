package org.ktestci.coordinator;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Picks up an edited config file by itself (config.md §1): every {@code fetch_interval} it compares the file's
 * content digest with the running one, off the actor thread, and {@link LiveConfig#reload} applies a valid
 * change or records why it was rejected.
 */
public final class ConfigWatcher {
    public sealed interface Command extends NoSerializationVerificationNeeded permits Check, Checked {}

    private record Check() implements Command {}

    private record Checked(Duration interval) implements Command {}

    private ConfigWatcher() {
    }

    public static Behavior<Command> create(LiveConfig live) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            var blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
            timers.startSingleTimer(new Check(), live.fetchInterval());
            return Behaviors.receive(Command.class)
                    .onMessage(Check.class, c -> {
                        ctx.pipeToSelf(CompletableFuture.runAsync(() -> live.reload(false), blocking),
                                (v, err) -> {
                                    if (err != null) {
                                        ctx.getLog().error("config check failed: {}", err.toString());
                                    }
                                    return new Checked(live.fetchInterval());
                                });
                        return Behaviors.same();
                    })
                    .onMessage(Checked.class, c -> {
                        timers.startSingleTimer(new Check(), c.interval());
                        return Behaviors.same();
                    })
                    .build();
        }));
    }
}
