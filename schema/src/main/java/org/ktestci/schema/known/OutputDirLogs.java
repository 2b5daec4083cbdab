package org.ktestci.schema.known;

import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The logs a {@link KnownIssueMatcher} reads, from {@code output_dir}: a subtest's {@code log.br} decompressed, at
 * most {@value #MAX_LOG_BYTES} bytes of it; none when it is absent or unreadable. Blocking.
 */
public final class OutputDirLogs implements KnownIssueMatcher.Logs {
    public static final int MAX_LOG_BYTES = 16 << 20;

    private final OutputDir out;

    public OutputDirLogs(OutputDir out) {
        this.out = out;
    }

    @Override
    public Optional<String> of(String sha, String key) {
        Path log = out.keyDir(sha, key).resolve(OutputDir.LOG);
        if (!Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try (InputStream in = Brotli.decompressing(Files.newInputStream(log))) {
            return Optional.of(new String(in.readNBytes(MAX_LOG_BYTES), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
