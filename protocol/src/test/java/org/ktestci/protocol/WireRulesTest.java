package org.ktestci.protocol;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireRulesTest {
    @Test
    void hostsAreHostNamesThatCanBePartOfAnActorName() {
        assertTrue(WireRules.host("farm1.example.net"));
        for (String bad : new String[] {null, "", "a/b", "..", ".", "farm 1", "farm1\n", "x".repeat(254), "$a",
                "a_b"}) {
            assertFalse(WireRules.host(bad), bad);
        }
    }

    @Test
    void resultKeysAreSingleFileNames() {
        assertTrue(WireRules.resultKey("fs.bcachefs.ec@upstream_stable-default@ktest_a=1,ktest_b=2@arch=aarch64.ec"));
        assertTrue(WireRules.resultKeyOrEmpty(""));
        for (String bad : new String[] {null, "", ".", "..", "../etc", "a/b", "a\\b", "a b", "x".repeat(256)}) {
            assertFalse(WireRules.resultKey(bad), bad);
        }
    }

    @Test
    void numbersAndWordsHaveTheirRanges() {
        assertTrue(WireRules.epoch(0) && WireRules.epoch(WireRules.MAX_EPOCH));
        assertFalse(WireRules.epoch(-1) || WireRules.epoch(Long.MAX_VALUE));
        assertTrue(WireRules.reason("subtest_not_found"));
        assertFalse(WireRules.reason("Not A Reason") || WireRules.reason("") || WireRules.reason(null));
        assertTrue(WireRules.leaseId("0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011"));
        assertFalse(WireRules.leaseId("../x") || WireRules.leaseId("x".repeat(65)));
    }

    @Test
    void linesHaveNoBreaksAndTextNoNul() {
        assertTrue(WireRules.line("========= PASSED x in 0s", 100));
        assertFalse(WireRules.line("a\nb", 100) || WireRules.line("a\rb", 100) || WireRules.line("ab", 1)
                || WireRules.line(null, 9));
        assertTrue(WireRules.text("a\nb", 9));
        assertFalse(WireRules.text("a\0b", 9));
    }

    @Test
    void membershipOfAFixedSetIsFalseForNullInsteadOfThrowing() {
        assertFalse(WireRules.oneOf(Set.of("a"), null)); // Set.of(..).contains(null) would throw
        assertFalse(WireRules.arch(null));
        assertTrue(WireRules.arch("aarch64"));
    }

    @Test
    void quotingEscapesControlCharactersAndShortens() {
        assertEquals("\"a\\x0ab\"", WireRules.quote("a\nb"));
        assertEquals("null", WireRules.quote(null));
        assertTrue(WireRules.quote("x".repeat(500)).length() < 90);
    }
}
