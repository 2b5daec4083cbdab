package org.ktestci.coordinator.maintenance;

import org.ktestci.schema.io.FileTrees;
import org.ktestci.schema.results.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The file side of retention (storage.md §9): which {@code output_dir} entries belong to commits outside the
 * live set and are older than {@code gc_grace}, touching the live ones (their mtime is their age), and removing
 * temporary {@code *.new}/{@code *.part} files older than an hour. Entries not named after a commit are never
 * touched. Blocking.
 */
final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final Pattern COMMIT_ENTRY = Pattern.compile("^[0-9a-f]{40}(\\.capnp)?$");
    private static final long TEMP_MAX_AGE_MILLIS = 3600_000;

    private final OutputDir out;

    GarbageCollector(OutputDir out) {
        this.out = out;
    }

    /** A commit to drop and its entries ({@code <sha>/}, {@code <sha>.capnp}). */
    record Doomed(String sha, List<Path> entries) {}

    /**
     * Touches live entries (not the blobs, whose mtime is their Last-Modified) and returns the commits whose entries
     * are past {@code graceMillis} outside the live set. {@code dryRun}: touch nothing.
     */
    List<Doomed> plan(Set<String> live, long graceMillis, long now, boolean dryRun) throws IOException {
        List<Doomed> doomed = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(out.root())) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (COMMIT_ENTRY.matcher(name).matches()) {
                    seen.add(name.substring(0, 40));
                }
            }
        }
        for (String sha : seen) {
            Path dir = out.root().resolve(sha);
            Path blob = out.blob(sha);
            if (live.contains(sha)) {
                if (!dryRun && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setLastModifiedTime(dir, FileTime.fromMillis(now));
                }
                continue;
            }
            // A blob's age is that of its directory when there is one (its own mtime tracks its last change).
            Path clock = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? dir : blob;
            long mtime;
            try {
                mtime = Files.getLastModifiedTime(clock, LinkOption.NOFOLLOW_LINKS).toMillis();
            } catch (NoSuchFileException gone) {
                continue; // removed since it was listed (an admin clear, say): nothing left to collect
            }
            if (now - mtime > graceMillis) {
                List<Path> parts = new ArrayList<>();
                if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    parts.add(dir);
                }
                if (Files.exists(blob, LinkOption.NOFOLLOW_LINKS)) {
                    parts.add(blob);
                }
                doomed.add(new Doomed(sha, parts));
            }
        }
        return doomed;
    }

    /** Deletes the entries of a doomed commit (its journal entries are already gone). */
    void remove(Doomed d) throws IOException {
        for (Path p : d.entries()) {
            LOG.info("Removing: {}", p);
            FileTrees.deleteRecursively(p);
        }
    }

    /** Temporary files ({@code *.new}, {@code *.part}) older than an hour, anywhere below output_dir. */
    List<Path> staleTemporaries(long now) throws IOException {
        List<Path> stale = new ArrayList<>();
        Files.walkFileTree(out.root(), EnumSet.noneOf(FileVisitOption.class), 3,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String n = file.getFileName().toString();
                        if ((n.endsWith(".new") || n.endsWith(".part")) && attrs.isRegularFile()
                                && now - attrs.lastModifiedTime().toMillis() > TEMP_MAX_AGE_MILLIS) {
                            stale.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        // Listed, then gone before its stat: a writer renamed its temporary into place meanwhile.
                        if (e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        return stale;
    }
}
