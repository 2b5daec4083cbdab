package org.ktestci.coordinator.scheduling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code list-tests} results per test file, cached by (path, mtime, size); failed or empty listings are not
 * cached and are retried at the next refill (ktest-interface.md §1). Thread-safe; listing blocks.
 */
public final class SubtestListingCache {
    private static final Logger LOG = LoggerFactory.getLogger(SubtestListingCache.class);

    /** Runs {@code <file> list-tests}; throws with a readable reason when the listing is unusable. */
    @FunctionalInterface
    public interface Lister {
        List<String> list(Path testFile) throws IOException;
    }

    public record ListingError(String test, String error, Instant at) {}

    private record Stamp(long mtimeMillis, long size) {}

    private record Entry(Stamp stamp, List<String> subtests) {}

    private final Path testsDir;
    private final Lister lister;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, ListingError> errors = new ConcurrentHashMap<>();

    public SubtestListingCache(Path testsDir, Lister lister) {
        this.testsDir = testsDir;
        this.lister = lister;
    }

    public Optional<List<String>> subtests(String test) {
        Path file = testsDir.resolve(test);
        Stamp stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            stamp = new Stamp(a.lastModifiedTime().toMillis(), a.size());
        } catch (IOException e) {
            return fail(test, "cannot read " + file + ": " + e.getMessage());
        }
        Entry hit = cache.get(test);
        if (hit != null && hit.stamp().equals(stamp)) {
            return Optional.of(hit.subtests());
        }
        try {
            List<String> names = List.copyOf(lister.list(file));
            if (names.isEmpty()) {
                return fail(test, "list-tests printed no subtests");
            }
            cache.put(test, new Entry(stamp, names));
            errors.remove(test);
            LOG.info("listed {}: {} subtests", test, names.size());
            return Optional.of(names);
        } catch (IOException e) {
            return fail(test, e.getMessage());
        }
    }

    private Optional<List<String>> fail(String test, String error) {
        cache.remove(test);
        ListingError previous = errors.put(test, new ListingError(test, error, Instant.now()));
        if (previous == null || !previous.error().equals(error)) {
            LOG.warn("listing failed: test={}: {}", test, error);
        }
        return Optional.empty();
    }

    /** The mtime (ms) of the listing in use for {@code test}, or 0 when none is cached. */
    public long listingMtime(String test) {
        Entry e = cache.get(test);
        return e == null ? 0 : e.stamp().mtimeMillis();
    }

    public List<ListingError> errors() {
        return List.copyOf(errors.values());
    }
}
