package org.ktestci.coordinator.results;

import org.ktestci.schema.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code <output_dir>/.ktest-ci-projection-offset} (storage.md §7.2): the journal ordering up to which every
 * tagged event's commit has been rendered. A missing or unreadable file means "from the start": replay is
 * idempotent, so that only costs time.
 */
final class ProjectionOffset {
    static final String FILE = ".ktest-ci-projection-offset";

    private final Path file;

    ProjectionOffset(Path outputDir) {
        this.file = outputDir.resolve(FILE);
    }

    long read() {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    void write(long offset) throws IOException {
        AtomicFiles.writeString(file, Long.toString(offset));
    }
}
