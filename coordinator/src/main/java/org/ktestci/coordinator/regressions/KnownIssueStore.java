package org.ktestci.coordinator.regressions;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.ktestci.coordinator.regressions.KnownIssueEvent.KnownIssueDeleted;
import org.ktestci.coordinator.regressions.KnownIssueEvent.KnownIssueSaved;
import org.ktestci.schema.known.KnownIssue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The known issues defined through the admin API (issue 14 item 5), event-sourced (persistence id
 * {@code known-issues}) so they survive restarts and every coordinator node can read them from the journal
 * ({@link KnownIssuesJournalView}). Issues of the config file are not here; the admin checks ids against it.
 */
public final class KnownIssueStore extends EventSourcedBehavior<KnownIssueStore.Command, KnownIssueEvent,
        KnownIssueStore.State> {
    public static final String PERSISTENCE_ID = "known-issues";

    /** Local to the coordinator node: never crosses the wire. */
    public sealed interface Command extends NoSerializationVerificationNeeded permits Save, Delete {}

    public record Save(KnownIssue issue, String by, ActorRef<Saved> replyTo) implements Command {}

    public record Saved(KnownIssue issue) implements NoSerializationVerificationNeeded {}

    /** Answers whether the id was defined. */
    public record Delete(String id, String by, ActorRef<Deleted> replyTo) implements Command {}

    public record Deleted(boolean existed) implements NoSerializationVerificationNeeded {}

    /** The admin-defined issues by id. */
    public record State(Map<String, KnownIssue> issues) {
        State apply(KnownIssueEvent e) {
            Map<String, KnownIssue> next = new TreeMap<>(issues);
            if (e instanceof KnownIssueSaved s) {
                next.put(s.id(), issue(s));
            } else {
                next.remove(e.id());
            }
            return new State(next);
        }
    }

    static KnownIssue issue(KnownIssueSaved s) {
        return new KnownIssue(s.id(), s.test(), nonEmpty(s.log()), s.url(), nonEmpty(s.fixedBy()), KnownIssue.ADMIN);
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> new KnownIssueStore());
    }

    private KnownIssueStore() {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public CommandHandler<Command, KnownIssueEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Save.class, (state, c) -> {
                    KnownIssue i = c.issue();
                    return Effect().persist(new KnownIssueSaved(i.id(), i.test(), i.log().orElse(""), i.url(),
                            i.fixedBy().orElse(""), c.by(), System.currentTimeMillis()))
                            .thenReply(c.replyTo(), s -> new Saved(s.issues().get(i.id())));
                })
                .onCommand(Delete.class, (state, c) -> {
                    if (!state.issues().containsKey(c.id())) {
                        return Effect().reply(c.replyTo(), new Deleted(false));
                    }
                    return Effect().persist(new KnownIssueDeleted(c.id(), c.by(), System.currentTimeMillis()))
                            .thenReply(c.replyTo(), s -> new Deleted(true));
                })
                .build();
    }

    @Override
    public EventHandler<State, KnownIssueEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }
}
