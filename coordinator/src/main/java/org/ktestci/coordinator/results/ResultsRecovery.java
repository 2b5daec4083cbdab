package org.ktestci.coordinator.results;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the verdicts already in {@code output_dir} at start-up so a restarted coordinator never runs a job
 * twice. In-progress entries are dropped (their runs died with the previous process), as ktest does.
 */
public final class ResultsRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsRecovery.class);

    private ResultsRecovery() {
    }

    /** Verdicts per commit, and per commit the In-progress keys that were dropped (to be cleaned up). */
    public record Recovered(Map<String, Map<String, ResultRecord>> commits, Map<String, Set<String>> droppedInProgress) {
        public static Recovered empty() {
            return new Recovered(Map.of(), Map.of());
        }
    }

    public static Recovered load(OutputDir out) throws IOException {
        Map<String, Map<String, ResultRecord>> commits = new HashMap<>();
        Map<String, Set<String>> dropped = new HashMap<>();
        if (!Files.isDirectory(out.root())) {
            return new Recovered(commits, dropped);
        }
        int results = 0;
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
                    LOG.error("skipping unreadable results blob {}: {}", blob, e.getMessage());
                    continue;
                }
                Map<String, ResultRecord> records = new HashMap<>();
                for (ResultEntry e : cr.entries()) {
                    if (e.status().isVerdict()) {
                        records.put(e.name(), ResultRecord.imported(e.name(), e.status(), e.duration(), e.starttime()));
                        results++;
                    } else {
                        dropped.computeIfAbsent(sha, k -> new HashSet<>()).add(e.name());
                    }
                }
                commits.put(sha, records);
            }
        }
        LOG.info("recovered {} commits, {} results from {}", commits.size(), results, out.root());
        return new Recovered(commits, dropped);
    }
}
