package org.ktestci.schema.known;

import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which failure a known issue masks (issue 14 item 5): exactly the ones all its conditions hold for. */
class KnownIssueMatcherTest {
    static KnownIssue issue(String id, String test, String log, String fixedBy) {
        return new KnownIssue(id, test, Optional.ofNullable(log), "https://bugs.example.org/" + id,
                Optional.ofNullable(fixedBy), KnownIssue.CONFIG);
    }

    static ResultEntry failed(String key) {
        return new ResultEntry(key, Status.FAILED, 1, 0);
    }

    final Map<String, String> logs = Map.of("c1/fs.ec.replace", "btree_node_read: checksum error\n",
            "c1/fs.ec.other", "something else\n");
    final AtomicInteger reads = new AtomicInteger();

    KnownIssueMatcher matcher(KnownIssue... issues) {
        return new KnownIssueMatcher(List.of(issues), (sha, key) -> {
            reads.incrementAndGet();
            return Optional.ofNullable(logs.get(sha + "/" + key));
        }, (sha, ancestor) -> sha.equals("c2") && ancestor.equals("fix"));
    }

    @Test
    void testRegexFindsLogRegexNarrowsFixedByEnds() {
        KnownIssueMatcher m = matcher(issue("csum", "^fs\\.ec\\.", "checksum error", null),
                issue("fixed", "other$", null, "fix"));
        assertEquals("csum", m.match("c1", failed("fs.ec.replace")).orElseThrow().id());
        assertEquals("fixed", m.match("c1", failed("fs.ec.other")).orElseThrow().id(),
                "csum's log line is missing there; the next issue matches");
        assertEquals(Optional.empty(), m.match("c2", failed("fs.ec.other")), "c2 contains the fix");
        assertEquals(Optional.empty(), m.match("c1", failed("boot.boot")));
        assertEquals(Optional.empty(), m.match("c1", new ResultEntry("fs.ec.replace", Status.PASSED, 1, 0)),
                "only failures are known issues");
        assertEquals(Optional.empty(), m.match("c1", new ResultEntry("fs.ec.replace", Status.FAILED_TO_RUN, 0, 0)));
    }

    @Test
    void aLogIsReadOnceAndOnlyWhenAnIssueAsksForIt() {
        matcher(issue("a", "^boot", "x", null), issue("b", "^fs", null, null)).match("c1", failed("fs.ec.replace"));
        assertEquals(0, reads.get());
        matcher(issue("a", "^fs", "nope", null), issue("b", "^fs", "also nope", null))
                .match("c1", failed("fs.ec.replace"));
        assertEquals(1, reads.get());
    }

    @Test
    void aCatastrophicLogRegexGivesUpInsteadOfHanging() {
        String log = "a".repeat(40) + "!";
        KnownIssueMatcher m = new KnownIssueMatcher(List.of(issue("slow", ".", "(a+)+$", null)),
                (sha, key) -> Optional.of(log), (s, a) -> false);
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), m.match("c", failed("k")));
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
    }

    @Test
    void problemsNameTheirField() {
        List<KnownIssue.Problem> p = KnownIssue.problems("bad id", "(", Optional.of(""), "ftp://x",
                Optional.of("abc"));
        assertEquals(List.of("id", "test", "log", "url", "fixed_by"), p.stream().map(KnownIssue.Problem::field).toList());
        assertTrue(p.get(1).message().startsWith("invalid regex: Unclosed group"), p.get(1).message());
    }
}
