package org.ktestci.dashboard;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code test=} regex of the views (http.md §2): Java regex with find semantics, at most 256 characters,
 * and a 100 ms matching budget per request so a catastrophic pattern cannot pin a thread. Invalid → 400,
 * never "match all". One instance serves one request (not thread-safe).
 */
final class TestFilter {
    static final int MAX_LENGTH = 256;
    private static final long BUDGET_NANOS = 100_000_000L;

    private final Pattern pattern;
    /** Keys repeat across the commits of a walk: each is matched once, so only distinct keys cost budget. */
    private final Map<String, Boolean> seen = new HashMap<>();
    private long remainingNanos;

    private TestFilter(Pattern pattern, long budgetNanos) {
        this.pattern = pattern;
        this.remainingNanos = budgetNanos;
    }

    /** Empty when no (or an empty) regex was given: the view shows every key. */
    static Optional<TestFilter> of(String regex) {
        return of(regex, BUDGET_NANOS);
    }

    static Optional<TestFilter> of(String regex, long budgetNanos) {
        if (regex == null || regex.isEmpty()) {
            return Optional.empty();
        }
        if (regex.length() > MAX_LENGTH) {
            throw HttpError.badRequest("invalid test regex: longer than " + MAX_LENGTH + " characters");
        }
        try {
            return Optional.of(new TestFilter(Pattern.compile(regex), budgetNanos));
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
        long start = System.nanoTime();
        try {
            boolean found = pattern.matcher(new Deadlined(key, start + remainingNanos)).find();
            seen.put(key, found);
            return found;
        } finally {
            remainingNanos -= System.nanoTime() - start;
            if (remainingNanos <= 0) {
                throw tooExpensive();
            }
        }
    }

    private static HttpError tooExpensive() {
        return HttpError.badRequest("test regex too expensive");
    }

    /** A CharSequence that gives up once the request's regex budget is spent (the matcher reads every char). */
    private record Deadlined(String inner, long deadline) implements CharSequence {
        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) {
                throw tooExpensive();
            }
            return inner.charAt(index);
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadlined(inner.substring(start, end), deadline);
        }

        @Override
        public String toString() {
            return inner;
        }
    }
}
