package org.ktestci.schema.regex;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadBudgetTest {
    @Test
    void findsWithinTheBudget() {
        ReadBudget budget = new ReadBudget(1_000);
        assertTrue(budget.find(Pattern.compile("b+"), "aaabbb"));
        assertFalse(budget.find(Pattern.compile("c"), "aaabbb"));
    }

    @Test
    void catastrophicPatternStopsWhenTheReadsAreSpent() {
        // Exponential in the text's length (the back-reference defeats the JDK's loop memo): hours without a budget.
        ReadBudget budget = new ReadBudget(10_000_000L);
        Pattern evil = Pattern.compile("^(a+)+\\1$");
        assertThrows(ReadBudget.Spent.class, () -> budget.find(evil, "a".repeat(40) + "!"));
    }

    @Test
    void oneBudgetServesSeveralMatches() {
        ReadBudget budget = new ReadBudget(10);
        Pattern p = Pattern.compile("z");
        assertFalse(budget.find(p, "abcdef"));
        assertThrows(ReadBudget.Spent.class, () -> budget.find(p, "abcdef"));
    }
}
