package org.ktestci.coordinator.regressions;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.ktestci.schema.known.KnownIssue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admin-defined known issues as any coordinator node sees them: folded from the {@code known-issues} events
 * in the journal, read again at most every {@value #TTL_MILLIS} ms (at once after this node wrote), so a standby's
 * dashboard shows the same badges as the active node's. Blocking: called on the dashboard's blocking threads.
 */
public final class KnownIssuesJournalView implements Supplier<List<KnownIssue>> {
    private static final Logger LOG = LoggerFactory.getLogger(KnownIssuesJournalView.class);
    static final long TTL_MILLIS = 2_000;

    private final ActorSystem<?> system;
    private volatile List<KnownIssue> cached = List.of();
    private volatile long readAtMillis = Long.MIN_VALUE / 2;

    public KnownIssuesJournalView(ActorSystem<?> system) {
        this.system = system;
    }

    /** This node changed them: the next read goes to the journal. */
    public void invalidate() {
        readAtMillis = Long.MIN_VALUE / 2;
    }

    @Override
    public List<KnownIssue> get() {
        long now = System.currentTimeMillis();
        if (now - readAtMillis < TTL_MILLIS) {
            return cached;
        }
        try {
            JdbcReadJournal journal = PersistenceQuery.get(system)
                    .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
            Map<String, KnownIssue> issues = journal.currentEventsByPersistenceId(KnownIssueStore.PERSISTENCE_ID, 0,
                            Long.MAX_VALUE)
                    .runWith(Sink.fold(new TreeMap<String, KnownIssue>(), (m, env) -> {
                        if (env.event() instanceof KnownIssueEvent.KnownIssueSaved s) {
                            m.put(s.id(), KnownIssueStore.issue(s));
                        } else if (env.event() instanceof KnownIssueEvent.KnownIssueDeleted d) {
                            m.remove(d.id());
                        }
                        return m;
                    }), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
            cached = List.copyOf(issues.values());
            readAtMillis = now;
        } catch (Exception e) {
            LOG.warn("cannot read the admin-defined known issues from the journal (showing the last read): {}",
                    e.toString());
        }
        return cached;
    }
}
