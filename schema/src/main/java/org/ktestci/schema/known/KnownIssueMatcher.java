package org.ktestci.schema.known;

import org.ktestci.schema.regex.ReadBudget;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which known issue a Failed result matches (issue 14 item 5): the first issue, in order, whose {@code test}
 * regex finds a match in the result key, whose {@code log} regex (if any) finds one in the subtest's log, and
 * whose {@code fixed_by} commit (if any) the result's commit does not contain. Other statuses match nothing.
 * A log regex gets a fixed budget of character reads per log, so a catastrophic one cannot pin a thread.
 */
public final class KnownIssueMatcher {
    /** Reads a subtest's log, decompressed; empty when there is none. */
    @FunctionalInterface
    public interface Logs {
        Optional<String> of(String sha, String key);
    }

    /** Whether {@code sha} contains {@code ancestor} (it is {@code ancestor} or a descendant of it). */
    @FunctionalInterface
    public interface Ancestry {
        boolean contains(String sha, String ancestor);
    }

    static final long LOG_BUDGET_READS = 50_000_000L;

    private record Compiled(KnownIssue issue, Pattern test, Optional<Pattern> log) {}

    private final List<Compiled> issues = new ArrayList<>();
    private final Logs logs;
    private final Ancestry ancestry;

    public KnownIssueMatcher(List<KnownIssue> issues, Logs logs, Ancestry ancestry) {
        for (KnownIssue i : issues) {
            this.issues.add(new Compiled(i, Pattern.compile(i.test()), i.log().map(Pattern::compile)));
        }
        this.logs = logs;
        this.ancestry = ancestry;
    }

    public boolean isEmpty() {
        return issues.isEmpty();
    }

    public Optional<KnownIssue> match(String sha, ResultEntry e) {
        if (e.status() != Status.FAILED) {
            return Optional.empty();
        }
        Optional<String> log = null; // read once, and only when an issue asks for it
        for (Compiled c : issues) {
            if (!c.test().matcher(e.name()).find()) {
                continue;
            }
            if (c.log().isPresent()) {
                if (log == null) {
                    log = logs.of(sha, e.name());
                }
                if (log.isEmpty() || !finds(c.log().get(), log.get())) {
                    continue;
                }
            }
            if (c.issue().fixedBy().isPresent() && ancestry.contains(sha, c.issue().fixedBy().get())) {
                continue;
            }
            return Optional.of(c.issue());
        }
        return Optional.empty();
    }

    private static boolean finds(Pattern p, String text) {
        try {
            return new ReadBudget(LOG_BUDGET_READS).find(p, text);
        } catch (ReadBudget.Spent e) {
            return false;
        }
    }
}
