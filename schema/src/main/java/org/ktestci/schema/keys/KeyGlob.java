package org.ktestci.schema.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * A glob over a whole result key (http.md §6): {@code *} any run of characters, {@code ?} one character,
 * {@code [...]} a class ({@code [!...]} or {@code [^...]} negated, {@code a-z} ranges, a {@code ]} first or a
 * {@code -} first or last taken literally); anything else matches itself.
 *
 * <p>Matched without a regex and without backtracking over stars: the text between stars is found leftmost, in
 * order, with the first and last pieces anchored at the ends. That is the right answer for globs (a later piece
 * can only gain from an earlier one ending sooner) and takes at most key length × pattern length steps, so a
 * pattern such as {@code *a*a*a*a*a*a*a*a*b} cannot stall the server as {@code .*a.*a…b} would.
 */
public final class KeyGlob {
    /** Patterns are short in practice; the bound keeps the matching cost bounded too. */
    public static final int MAX_LENGTH = 1024;

    /** One character position of a piece: a literal, {@code ?}, or a class. */
    private interface CharTest {
        boolean test(char c);
    }

    private final String pattern;
    /** The pieces between stars; {@code pieces.size() - 1} stars. */
    private final List<List<CharTest>> pieces;

    private KeyGlob(String pattern, List<List<CharTest>> pieces) {
        this.pattern = pattern;
        this.pieces = pieces;
    }

    /** Parses {@code pattern}; an invalid one throws {@link IllegalArgumentException} with what is wrong and where. */
    public static KeyGlob compile(String pattern) {
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern longer than " + MAX_LENGTH + " characters");
        }
        List<List<CharTest>> pieces = new ArrayList<>();
        List<CharTest> piece = new ArrayList<>();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                pieces.add(piece);
                piece = new ArrayList<>();
            } else if (c == '?') {
                piece.add(ch -> true);
            } else if (c == '[') {
                i = parseClass(pattern, i, piece);
            } else {
                piece.add(ch -> ch == c);
            }
        }
        pieces.add(piece);
        return new KeyGlob(pattern, List.copyOf(pieces));
    }

    /** Adds the class opening at {@code open} to {@code piece}; returns the index of its closing {@code ]}. */
    private static int parseClass(String p, int open, List<CharTest> piece) {
        int i = open + 1;
        boolean negate = i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^');
        if (negate) {
            i++;
        }
        int first = i;
        List<char[]> ranges = new ArrayList<>();
        while (true) {
            if (i >= p.length()) {
                throw new IllegalArgumentException("unclosed [ at character " + (open + 1));
            }
            char c = p.charAt(i);
            if (c == ']' && i > first) {
                break;
            }
            if (i + 2 < p.length() && p.charAt(i + 1) == '-' && p.charAt(i + 2) != ']') {
                char hi = p.charAt(i + 2);
                if (hi < c) {
                    throw new IllegalArgumentException("range " + c + "-" + hi + " is reversed (at character "
                            + (i + 1) + ")");
                }
                ranges.add(new char[] {c, hi});
                i += 3;
            } else {
                ranges.add(new char[] {c, c});
                i++;
            }
        }
        char[][] set = ranges.toArray(new char[0][]);
        piece.add(ch -> {
            boolean in = false;
            for (char[] r : set) {
                if (ch >= r[0] && ch <= r[1]) {
                    in = true;
                    break;
                }
            }
            return in != negate;
        });
        return i;
    }

    public String pattern() {
        return pattern;
    }

    /** Whether the whole of {@code key} matches. */
    public boolean matches(String key) {
        List<CharTest> head = pieces.get(0);
        if (pieces.size() == 1) {
            return key.length() == head.size() && at(head, key, 0);
        }
        List<CharTest> tail = pieces.get(pieces.size() - 1);
        int end = key.length() - tail.size();
        if (end < head.size() || !at(head, key, 0) || !at(tail, key, end)) {
            return false;
        }
        int pos = head.size();
        for (int k = 1; k < pieces.size() - 1; k++) {
            List<CharTest> piece = pieces.get(k);
            int found = -1;
            for (int start = pos; start + piece.size() <= end; start++) {
                if (at(piece, key, start)) {
                    found = start;
                    break;
                }
            }
            if (found < 0) {
                return false;
            }
            pos = found + piece.size();
        }
        return true;
    }

    private static boolean at(List<CharTest> piece, String key, int start) {
        for (int i = 0; i < piece.size(); i++) {
            if (!piece.get(i).test(key.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
