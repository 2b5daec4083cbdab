package org.ktestci.schema.keys;

import org.junit.jupiter.api.Test;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyGlobTest {
    @Test
    void matchesWholeKeysWithStarsQuestionMarksAndClasses() {
        assertTrue(KeyGlob.compile("*").matches(""));
        assertTrue(KeyGlob.compile("*.f").matches("t.f"));
        assertFalse(KeyGlob.compile("*.f").matches("t.fx"));
        assertTrue(KeyGlob.compile("fs.*.ec@*").matches("fs.bcachefs.ec@upstream_stable-default"));
        assertTrue(KeyGlob.compile("t.?").matches("t.a"));
        assertFalse(KeyGlob.compile("t.?").matches("t.ab"));
        assertTrue(KeyGlob.compile("t.[a-c]").matches("t.b"));
        assertFalse(KeyGlob.compile("t.[!a-c]").matches("t.b"));
        assertTrue(KeyGlob.compile("t.[^a-c]").matches("t.d"));
        assertTrue(KeyGlob.compile("t.[]x]").matches("t.]"));
        assertTrue(KeyGlob.compile("t.[a-]").matches("t.-"));
        assertTrue(KeyGlob.compile("a*b*c").matches("abxbxc"));
        assertFalse(KeyGlob.compile("a*b*c").matches("acb"));
        assertTrue(KeyGlob.compile("*ab*ab").matches("abab"));
        assertFalse(KeyGlob.compile("*ab*ab").matches("aba"));
        assertTrue(KeyGlob.compile("\\").matches("\\"), "no escape character: a backslash is itself");
    }

    /** Agrees with the JDK's own glob (on names without '/', where both mean the same) over random cases. */
    @Test
    void agreesWithTheJdkGlobOnRandomKeys() {
        Random random = new Random(7);
        String alphabet = "ab.";
        for (int n = 0; n < 5000; n++) {
            String pattern = random(random, "ab.*?", 1 + random.nextInt(7));
            String key = random(random, alphabet, random.nextInt(9));
            PathMatcher jdk = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            boolean expected = !key.isEmpty() ? jdk.matches(Path.of(key)) : pattern.chars().allMatch(c -> c == '*');
            assertEquals(expected, KeyGlob.compile(pattern).matches(key), pattern + " vs " + key);
        }
    }

    private static String random(Random r, String chars, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    @Test
    void invalidPatternsSayWhatIsWrong() {
        assertEquals("range z-a is reversed (at character 2)",
                assertThrows(IllegalArgumentException.class, () -> KeyGlob.compile("[z-a]")).getMessage());
        assertEquals("unclosed [ at character 3",
                assertThrows(IllegalArgumentException.class, () -> KeyGlob.compile("t.[ab")).getMessage());
        assertEquals("unclosed [ at character 1",
                assertThrows(IllegalArgumentException.class, () -> KeyGlob.compile("[]")).getMessage());
        assertEquals("pattern longer than 1024 characters",
                assertThrows(IllegalArgumentException.class, () -> KeyGlob.compile("*".repeat(1025))).getMessage());
    }

    /**
     * The pattern that makes a regex translation ({@code .*a.*a…b}) backtrack for ever on a long key of 'a's:
     * here it is a plain failure, answered at once (the deadline only stops a hang; it is not a speed figure).
     */
    @Test
    void starHeavyPatternsDoNotBacktrack() {
        KeyGlob glob = KeyGlob.compile("*a*a*a*a*a*a*a*a*b");
        String key = "a".repeat(100_000);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < 10; i++) {
                assertFalse(glob.matches(key));
            }
        });
        KeyGlob open = KeyGlob.compile("*a*a*a*a*a*a*a*a*b*");
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertFalse(open.matches(key)));
        assertTrue(glob.matches(key + "b"));
        assertTrue(List.of("aaaaaaaab", "xaxaxaxaxaxaxaxab").stream().allMatch(glob::matches));
    }
}
