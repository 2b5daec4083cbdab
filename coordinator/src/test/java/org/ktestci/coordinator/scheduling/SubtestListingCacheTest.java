package org.ktestci.coordinator.scheduling;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The list-tests cache of ktest-interface.md §1: valid listings per (file, mtime, size); failures retried. */
class SubtestListingCacheTest {
    @TempDir
    Path tests;

    /** Answers each call with the next scripted outcome (a listing, or an IOException's message) and counts. */
    static final class ScriptedLister implements SubtestListingCache.Lister {
        final Deque<Object> outcomes = new ArrayDeque<>();
        final List<Path> calls = new ArrayList<>();

        ScriptedLister then(Object outcome) {
            outcomes.add(outcome);
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<String> list(Path testFile) throws IOException {
            calls.add(testFile);
            Object o = outcomes.remove();
            if (o instanceof String error) {
                throw new IOException(error);
            }
            return (List<String>) o;
        }
    }

    private Path testFile(String name, String content, long mtimeMillis) throws IOException {
        Path f = tests.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
        return f;
    }

    private static List<String> errorsOf(SubtestListingCache cache) {
        return cache.errors().stream().map(e -> e.test() + ": " + e.error()).sorted().toList();
    }

    @Test
    void aListingIsReusedWhileTheFileIsUnchangedAndRelistedWhenItsMtimeChanges() throws IOException {
        Path f = testFile("fs/x.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then(List.of("a", "b")).then(List.of("a", "b", "c"));
        SubtestListingCache cache = new SubtestListingCache(tests, lister);

        assertEquals(Optional.of(List.of("a", "b")), cache.subtests("fs/x.ktest"));
        assertEquals(Optional.of(List.of("a", "b")), cache.subtests("fs/x.ktest"));
        assertEquals(List.of(f), lister.calls, "the second lookup is a cache hit; the lister gets the resolved path");
        assertEquals(1_700_000_000_000L, cache.listingMtime("fs/x.ktest"));

        // Same size, only the mtime moves: ktest files are edited in place, so this must re-list.
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_005_000L));
        assertEquals(Optional.of(List.of("a", "b", "c")), cache.subtests("fs/x.ktest"));
        assertEquals(2, lister.calls.size());
        assertEquals(1_700_000_005_000L, cache.listingMtime("fs/x.ktest"));
        assertEquals(List.of(), errorsOf(cache));
    }

    @Test
    void aChangedSizeWithTheSameMtimeAlsoRelists() throws IOException {
        Path f = testFile("x.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then(List.of("a")).then(List.of("b"));
        SubtestListingCache cache = new SubtestListingCache(tests, lister);
        assertEquals(Optional.of(List.of("a")), cache.subtests("x.ktest"));

        Files.writeString(f, "version 2");
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L));
        assertEquals(Optional.of(List.of("b")), cache.subtests("x.ktest"));
        assertEquals(2, lister.calls.size());
    }

    @Test
    void aFailingListingIsReportedNotCachedAndRetriedUntilItSucceeds() throws IOException {
        testFile("x.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then("list-tests exited with status 2")
                .then("list-tests exited with status 2").then(List.of("a"));
        SubtestListingCache cache = new SubtestListingCache(tests, lister);

        assertEquals(Optional.empty(), cache.subtests("x.ktest"));
        assertEquals(List.of("x.ktest: list-tests exited with status 2"), errorsOf(cache));
        assertEquals(0, cache.listingMtime("x.ktest"), "nothing is cached for a failed listing");

        // The file did not change, yet the next refill runs list-tests again (the failure may be transient).
        assertEquals(Optional.empty(), cache.subtests("x.ktest"));
        assertEquals(2, lister.calls.size());
        assertEquals(List.of("x.ktest: list-tests exited with status 2"), errorsOf(cache), "one entry per test");

        assertEquals(Optional.of(List.of("a")), cache.subtests("x.ktest"));
        assertEquals(List.of(), errorsOf(cache), "a success clears the test's error");
        assertEquals(Optional.of(List.of("a")), cache.subtests("x.ktest"));
        assertEquals(3, lister.calls.size(), "and is cached from then on");
    }

    @Test
    void anEmptyListingIsAnErrorAndIsRetried() throws IOException {
        testFile("x.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then(List.of()).then(List.of("a"));
        SubtestListingCache cache = new SubtestListingCache(tests, lister);

        assertEquals(Optional.empty(), cache.subtests("x.ktest"));
        assertEquals(List.of("x.ktest: list-tests printed no subtests"), errorsOf(cache));
        assertEquals(Optional.of(List.of("a")), cache.subtests("x.ktest"));
        assertEquals(List.of(), errorsOf(cache));
        assertEquals(2, lister.calls.size());
    }

    @Test
    void aListingThatFailsAfterAnEditDropsTheOldListing() throws IOException {
        Path f = testFile("x.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then(List.of("a")).then("syntax error");
        SubtestListingCache cache = new SubtestListingCache(tests, lister);
        assertEquals(Optional.of(List.of("a")), cache.subtests("x.ktest"));

        // The old names belong to the old file: running them against the edited one would be wrong.
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_009_000L));
        assertEquals(Optional.empty(), cache.subtests("x.ktest"));
        assertEquals(0, cache.listingMtime("x.ktest"));
        assertEquals(List.of("x.ktest: syntax error"), errorsOf(cache));
    }

    @Test
    void aMissingFileIsAnErrorWithoutRunningTheListerAndErrorsArePerTest() throws IOException {
        testFile("ok.ktest", "v1", 1_700_000_000_000L);
        ScriptedLister lister = new ScriptedLister().then(List.of("a"));
        SubtestListingCache cache = new SubtestListingCache(tests, lister);

        assertEquals(Optional.empty(), cache.subtests("gone.ktest"));
        assertEquals(Optional.of(List.of("a")), cache.subtests("ok.ktest"));
        assertEquals(List.of(tests.resolve("ok.ktest")), lister.calls);
        List<SubtestListingCache.ListingError> errors = cache.errors();
        assertEquals(1, errors.size());
        assertEquals("gone.ktest", errors.get(0).test());
        assertEquals("cannot read " + tests.resolve("gone.ktest") + ": " + tests.resolve("gone.ktest"),
                errors.get(0).error(), "NoSuchFileException's message is the path");
    }
}
