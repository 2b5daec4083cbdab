package org.ktestci.schema.regex;

import java.util.regex.Pattern;

/**
 * A budget of character reads for regex matching, so a catastrophic pattern cannot pin a thread. It counts the
 * characters the matcher reads, not wall time: a busy machine does not turn a valid regex into a failure. One
 * budget may serve several matches (a request's keys); a match that would read past it ends in {@link Spent}.
 */
public final class ReadBudget {
    /** The budget ran out during a match. Carries no stack trace: it is expected, and may be frequent. */
    public static final class Spent extends RuntimeException {
        private Spent() {
            super("regex read budget spent", null, false, false);
        }
    }

    private long left;

    public ReadBudget(long reads) {
        this.left = reads;
    }

    /** Whether {@code p} finds a match in {@code text}, reading from what is left of the budget. */
    public boolean find(Pattern p, String text) {
        return p.matcher(new Budgeted(text, this)).find();
    }

    /** A CharSequence that charges every character the matcher reads to the budget. */
    private record Budgeted(String inner, ReadBudget budget) implements CharSequence {
        @Override
        public char charAt(int index) {
            if (--budget.left < 0) {
                throw new Spent();
            }
            return inner.charAt(index);
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(inner.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return inner;
        }
    }
}
