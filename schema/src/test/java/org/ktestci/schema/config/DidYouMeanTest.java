package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Suggestions for misspelt names (config.md §1.1). */
class DidYouMeanTest {
    @Test
    void countsAnAdjacentTranspositionAsOneEdit() {
        assertEquals(1, DidYouMean.distance("kernles", "kernels"));
        assertEquals(2, DidYouMean.distance("abcd", "abxy"));
        assertEquals(3, DidYouMean.distance("", "abc"));
        assertEquals(0, DidYouMean.distance("same", "same"));
    }

    @Test
    void suggestsWithinTwoEditsAndBelowHalfTheLength() {
        assertEquals(Optional.of("kernels"), DidYouMean.suggest("kernals", List.of("kernels", "tests")));
        assertEquals(Optional.empty(), DidYouMean.suggest("kernalz_", List.of("kernels")), "3 edits");
        assertEquals(Optional.empty(), DidYouMean.suggest("abxy", List.of("abcd")), "2 is not below half of 4");
        assertEquals(Optional.of("abcde"), DidYouMean.suggest("abxye", List.of("abcde")), "2 is below half of 5");
        assertEquals(Optional.empty(), DidYouMean.suggest("ab", List.of("abc")), "1 is not below half of 2");
        assertEquals(Optional.of("abc"), DidYouMean.suggest("abd", List.of("abc")), "1 is below half of 3");
    }

    @Test
    void theClosestWinsAndTiesGoAlphabetically() {
        assertEquals(Optional.of("zebra"), DidYouMean.suggest("zebra1", List.of("zeb1", "zebra")),
                "closest wins over alphabetical");
        assertEquals(Optional.of("test"), DidYouMean.suggest("testz", List.of("tests", "test")),
                "one edit each: alphabetical");
        assertEquals(Optional.of("bat"), DidYouMean.suggest("cat", List.of("rat", "bat", "mat")));
        assertEquals(Optional.of("everyday"), DidYouMean.suggest("everyda", List.of("everyday", "nightly")));
    }

    @Test
    void formatsTheHint() {
        assertEquals(" (did you mean \"kernels\"?)", DidYouMean.hint("kernals", List.of("kernels")));
        assertEquals("", DidYouMean.hint("zzz", List.of("kernels")));
    }
}
