package org.ktestci.protocol;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.function.Function;

/**
 * Gives an actor whose protocol is its own (local, not serializable) commands a door for one wire message type:
 * a wire message is wrapped into a command by {@code adapt}, the actor's own commands pass unchanged, anything
 * else a cluster member managed to deliver becomes {@code foreign} (to be logged and counted). Only classes of
 * the sealed wire interfaces can be deserialized from the network, so a member can never send an actor one of
 * its own commands (an admin revoke, a host gone, a lease moved elsewhere).
 *
 * <p>The spawned actor's ref is an {@code ActorRef<Object>}: {@code narrow()} it to the wire type for peers
 * and to the command type for local senders.
 */
public final class WireAdapter {
    private WireAdapter() {
    }

    public static <W, C> Behavior<Object> wrap(Class<W> wire, Function<W, C> adapt, Class<C> commands,
                                               Function<Object, C> foreign, Behavior<C> inner) {
        return Behaviors.transformMessages(Object.class, inner, pf -> pf
                .match(commands, c -> c)
                .match(wire, adapt::apply)
                .matchAny(foreign::apply));
    }
}
