package org.ktestci.coordinator.results;

import org.ktestci.schema.io.AtomicFiles;
import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.io.FileTrees;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.CommitResultsCodec;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders one commit's results into ktest's on-disk format (storage.md §1–§6). Per key: {@code status},
 * {@code duration}, the {@code full_log.br} symlink; then {@code <sha>.capnp} last, so a key listed in the
 * blob always has its files. Only keys that changed since the last render are rewritten.
 */
final class CommitProjection {
    private final OutputDir out;
    private final CommitMessages messages;
    private final Map<String, Map<String, ResultRecord>> rendered = new HashMap<>();
    private final Map<String, String> messageCache = new HashMap<>();
    private final Map<String, List<ResultEntry>> blobs = new HashMap<>();
    private final ProjectionListener listener;

    CommitProjection(OutputDir out, CommitMessages messages, ProjectionListener listener) {
        this.out = out;
        this.messages = messages;
        this.listener = listener;
    }

    Path blobPath(String sha) {
        return out.blob(sha);
    }

    void render(String sha, Map<String, ResultRecord> records, Set<String> removedKeys) throws IOException {
        Map<String, ResultRecord> before = rendered.computeIfAbsent(sha, s -> new HashMap<>());
        for (String key : removedKeys) {
            if (!records.containsKey(key)) {
                FileTrees.deleteRecursively(out.keyDir(sha, key));
                before.remove(key);
            }
        }
        List<ResultRecord> changed = new ArrayList<>();
        for (ResultRecord r : records.values()) {
            if (!r.equals(before.get(r.key()))) {
                writeKeyFiles(sha, r);
                before.put(r.key(), r);
                changed.add(r);
            }
        }
        before.keySet().retainAll(records.keySet());
        List<ResultEntry> entries = new ArrayList<>();
        for (ResultRecord r : records.values()) {
            entries.add(new ResultEntry(r.key(), r.status(), r.status() == Status.INPROGRESS ? 0 : r.duration(),
                    r.starttime()));
        }
        entries.sort(Comparator.comparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR));
        if (entries.equals(blobs.get(sha)) && Files.exists(out.blob(sha))) {
            return; // a replayed event: nothing new to write
        }
        String message = messageCache.computeIfAbsent(sha, messages::messageOf);
        CommitResultsCodec.writeAtomically(out.blob(sha), new CommitResults(sha, message, entries));
        blobs.put(sha, entries);
        if (!changed.isEmpty()) {
            listener.rendered(sha, List.copyOf(changed));
        }
    }

    private void writeKeyFiles(String sha, ResultRecord r) throws IOException {
        if (r.statusLine().isEmpty()) {
            return; // imported from an older output_dir: its original files stay as they are
        }
        Path dir = out.keyDir(sha, r.key());
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(OutputDir.STATUS), r.statusLine() + "\n");
        if (r.status() == Status.INPROGRESS) {
            Files.deleteIfExists(dir.resolve(OutputDir.DURATION));
            return;
        }
        AtomicFiles.writeString(dir.resolve(OutputDir.DURATION), Long.toString(r.duration()));
        linkFullLog(dir, r.key(), 0, r.fullLogKey(), r.fullLogRerun());
        for (Observation o : r.observations()) {
            linkFullLog(dir, r.key(), o.n(), o.fullLogKey(), o.fullLogRerun());
        }
        if (r.status() == Status.FAILED_TO_RUN) {
            writeFallbackFullLog(sha, r, dir);
        }
    }

    /**
     * Run {@code run} of {@code key} (0: its verdict's) ran in a batch whose first subtest, {@code logKey}, holds the
     * batch's full log, as that subtest's run {@code logRun} there: {@code key}'s full log of that run links it. No
     * link when {@code key} led the batch itself (the upload is the file) or the journal does not say.
     */
    private static void linkFullLog(Path dir, String key, int run, String logKey, int logRun) throws IOException {
        if (logKey != null && !logKey.isEmpty() && !logKey.equals(key)) {
            AtomicFiles.symlink(dir.resolve(OutputDir.rerunArtifact(run, OutputDir.FULL_LOG)),
                    Paths.get("..", logKey, OutputDir.rerunArtifact(logRun, OutputDir.FULL_LOG)));
        }
    }

    /**
     * storage.md §4: a Failed to run result keeps the full log its last attempt delivered (its directory is
     * removed at every release, so one that exists now is that attempt's); otherwise it gets one naming every
     * attempt and its reason. Linked in without replacing, so a log arriving at the same moment wins.
     */
    private static void writeFallbackFullLog(String sha, ResultRecord r, Path dir) throws IOException {
        Path target = dir.resolve(OutputDir.FULL_LOG);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        byte[] log = Brotli.compress(FailedToRunLog.render(sha, r.key(), r.failureReason().orElseThrow())
                .getBytes(StandardCharsets.UTF_8));
        Path temp = dir.resolve(OutputDir.FULL_LOG + "." + Long.toHexString(System.nanoTime()) + ".new");
        try {
            Files.write(temp, log);
            try (FileChannel ch = FileChannel.open(temp,
                    StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            // the last attempt's own log arrived meanwhile: it stays
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
