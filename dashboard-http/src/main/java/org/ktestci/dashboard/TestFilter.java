package org.ktestci.dashboard;

import org.ktestci.schema.regex.ReadBudget;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code test=} regex of the views (http.md §2): Java regex with find semantics, at most 256 characters,
 * and a matching budget per request so a catastrophic pattern cannot pin a thread. The budget counts the
 * characters the matcher reads (about 100 ms of matching on one core), not wall time: a busy server must not
 * turn a valid regex into an error. Invalid → 400, never "match all". One instance serves one request.
 */
final class TestFilter {
    static final int MAX_LENGTH = 256;
    /** Character reads per request; a plain pattern over 13,000 keys × 500 commits needs well under 1 % of it. */
    static final long BUDGET_READS = 100_000_000L;

    private final Pattern pattern;
    /** Keys repeat across the commits of a walk: each is matched once, so only distinct keys cost budget. */
    private final Map<String, Boolean> seen = new HashMap<>();
    private final ReadBudget budget;

    private TestFilter(Pattern pattern, long budgetReads) {
        this.pattern = pattern;
        this.budget = new ReadBudget(budgetReads);
    }

    /** Empty when no (or an empty) regex was given: the view shows every key. */
    static Optional<TestFilter> of(String regex) {
        return of(regex, BUDGET_READS);
    }

    static Optional<TestFilter> of(String regex, long budgetReads) {
        if (regex == null || regex.isEmpty()) {
            return Optional.empty();
        }
        if (regex.length() > MAX_LENGTH) {
            throw HttpError.badRequest("invalid test regex: longer than " + MAX_LENGTH + " characters");
        }
        try {
            return Optional.of(new TestFilter(Pattern.compile(regex), budgetReads));
        } catch (PatternSyntaxException e) {
            throw HttpError.badRequest("invalid test regex: " + e.getDescription());
        }
    }

    /** Whether {@code filter} is absent or finds a match in {@code key}. */
    static boolean accepts(Optional<TestFilter> filter, String key) {
        return filter.isEmpty() || filter.get().matches(key);
    }

    boolean matches(String key) {
        Boolean known = seen.get(key);
        if (known != null) {
            return known;
        }
        boolean found;
        try {
            found = budget.find(pattern, key);
        } catch (ReadBudget.Spent e) {
            throw HttpError.badRequest("test regex too expensive");
        }
        seen.put(key, found);
        return found;
    }
}
