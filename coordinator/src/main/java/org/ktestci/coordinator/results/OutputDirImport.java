package org.ktestci.coordinator.results;

import org.ktestci.coordinator.results.CommitEvent.ImportedEntry;
import org.ktestci.schema.io.FileTrees;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Reads an existing ktest {@code output_dir} for import (storage.md §8): each 40-hex {@code <sha>.capnp} gives its
 * non-In-progress entries; In-progress entries are dropped and their directories deleted, as ktest does at
 * start-up. Per-subtest files are not read. Blocking: call off the actor threads.
 */
public final class OutputDirImport {
    private static final Logger LOG = LoggerFactory.getLogger(OutputDirImport.class);

    public record ImportedCommit(String sha, List<ImportedEntry> entries) {
    }

    private OutputDirImport() {
    }

    /** {@link #read} on {@code blocking}. */
    static CompletableFuture<List<ImportedCommit>> readAsync(OutputDir outputDir, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return read(outputDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, blocking);
    }

    public static List<ImportedCommit> read(OutputDir out) throws IOException {
        List<ImportedCommit> commits = new ArrayList<>();
        if (!Files.isDirectory(out.root())) {
            return commits;
        }
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(out.root(), "*.capnp")) {
            for (Path blob : blobs) {
                String name = blob.getFileName().toString();
                String sha = name.substring(0, name.length() - ".capnp".length());
                if (!OutputDir.isSha(sha)) {
                    continue;
                }
                CommitResults cr;
                try {
                    cr = CommitResultsCodec.read(blob);
                } catch (IOException e) {
                    LOG.error("not importing unreadable results blob {}: {}", blob, e.getMessage());
                    continue;
                }
                List<ImportedEntry> entries = new ArrayList<>();
                for (ResultEntry e : cr.entries()) {
                    if (e.status().isVerdict()) {
                        entries.add(new ImportedEntry(e.name(), e.status(), e.duration(), e.starttime()));
                    } else {
                        FileTrees.deleteRecursively(out.keyDir(sha, e.name()));
                    }
                }
                commits.add(new ImportedCommit(sha, List.copyOf(entries)));
            }
        }
        commits.sort(Comparator.comparing(ImportedCommit::sha));
        return commits;
    }
}
