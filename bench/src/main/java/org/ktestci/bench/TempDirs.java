package org.ktestci.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Temp directories of one benchmark process (journals of 100+ MiB), deleted when it exits. */
final class TempDirs {
    private static final List<Path> CREATED = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteAll, "bench-temp-cleanup"));
    }

    private TempDirs() {
    }

    static synchronized Path create(String prefix) throws IOException {
        Path p = Files.createTempDirectory(prefix);
        CREATED.add(p);
        return p;
    }

    private static synchronized void deleteAll() {
        for (Path dir : CREATED) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
            }
        }
    }
}
