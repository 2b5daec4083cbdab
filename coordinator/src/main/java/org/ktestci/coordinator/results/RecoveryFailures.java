package org.ktestci.coordinator.results;

import org.apache.pekko.pattern.CircuitBreakerOpenException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Tells an entity whose journal cannot be read back (an event or snapshot that does not deserialize, an event the
 * state cannot apply: it will fail the same way every time) from a journal that does not answer right now (a
 * lost connection, a timeout: worth retrying). Only the first kind is quarantined; what a command for a quarantined
 * commit is answered is here too.
 */
final class RecoveryFailures {
    private RecoveryFailures() {
    }

    /** Whether retrying cannot help: nothing in the cause chain is a database or time-out failure. */
    static boolean permanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException || t instanceof TimeoutException
                    || t instanceof CircuitBreakerOpenException
                    || t instanceof ConnectException) {
                return false;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return true;
    }

    /** A short reason, safe to show on the dashboard: the kind of failure, never a payload or a path. */
    static String reason(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "recovery failed: " + root.getClass().getSimpleName();
    }

    /** Nothing is written for a quarantined commit; callers that wait for an answer get one that says so. */
    static void answerQuarantined(ResultsStore.CommitCommand c) {
        if (c instanceof ResultsStore.Verdict v) {
            v.replyTo().tell(new VerdictOutcome(v.sha(), v.key(), VerdictOutcome.Result.NOT_CLAIMED, v.token()));
        } else if (c instanceof ResultsStore.Clear cl) {
            cl.replyTo().tell(new ResultsStore.Cleared(cl.sha(), List.of()));
        } else if (c instanceof ResultsStore.Import i && i.done() != null) {
            i.done().tell(new ResultsStore.ImportDone(i.sha()));
        }
    }
}
