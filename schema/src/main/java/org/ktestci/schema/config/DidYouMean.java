package org.ktestci.schema.config;

import java.util.Collection;
import java.util.Optional;

/**
 * Suggestions for misspelt names (config.md §1.1): a candidate within Damerau–Levenshtein distance 2 and below
 * half the unknown name's length; the closest wins, ties alphabetically.
 */
final class DidYouMean {
    private DidYouMean() {
    }

    static Optional<String> suggest(String unknown, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(unknown, c);
            if (d <= 2 && 2 * d < unknown.length()
                    && (d < bestDistance || d == bestDistance && c.compareTo(best) < 0)) {
                best = c;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    static String hint(String unknown, Collection<String> candidates) {
        return suggest(unknown, candidates).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
    }

    /** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
