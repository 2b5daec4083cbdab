package org.ktestci.dashboard;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code test=} regex of the views (http.md §2): Java regex with find semantics, at most 256 characters,
 * and a 100 ms budget per request so a catastrophic pattern cannot pin a thread. Invalid → 400, never
 * "match all".
 */
final class TestFilter {
    private static final long BUDGET_NANOS = 100_000_000L;

    private final Pattern pattern;
    private final long deadline;

    private TestFilter(Pattern pattern) {
        this.pattern = pattern;
        this.deadline = System.nanoTime() + BUDGET_NANOS;
    }

    static Optional<TestFilter> of(String regex) {
        if (regex == null || regex.isEmpty()) {
            return Optional.empty();
        }
        if (regex.length() > 256) {
            throw HttpError.badRequest("invalid test regex: longer than 256 characters");
        }
        try {
            return Optional.of(new TestFilter(Pattern.compile(regex)));
        } catch (PatternSyntaxException e) {
            throw HttpError.badRequest("invalid test regex: " + e.getDescription());
        }
    }

    boolean matches(String key) {
        Matcher m = pattern.matcher(new Deadlined(key, deadline));
        return m.find();
    }

    /** A CharSequence that gives up once the request's regex budget is spent. */
    private record Deadlined(CharSequence inner, long deadline) implements CharSequence {
        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) {
                throw HttpError.badRequest("test regex too expensive");
            }
            return inner.charAt(index);
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadlined(inner.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return inner.toString();
        }
    }
}
