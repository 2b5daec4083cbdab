package org.ktestci.dashboard;

import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.FailedToRunLog;
import org.ktestci.schema.results.FailureReason;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why each Failed to run result of a commit failed (issue 14): from the journal when this node has it, else from
 * the failed-to-run section of the fallback {@code full_log.br} the coordinator wrote (a dashboard-only node).
 */
final class FailureReasons {
    private final OutputDir out;

    FailureReasons(Path outputDir) {
        this.out = new OutputDir(outputDir);
    }

    Map<String, FailureReason> of(String sha, List<ResultEntry> entries, Map<String, ResultDetail> details) {
        Map<String, FailureReason> reasons = new HashMap<>();
        for (ResultEntry e : entries) {
            if (e.status() != Status.FAILED_TO_RUN) {
                continue;
            }
            ResultDetail d = details.get(e.name());
            Optional<FailureReason> r = d == null ? Optional.empty() : d.reason();
            r.or(() -> fromLog(sha, e.name())).ifPresent(x -> reasons.put(e.name(), x));
        }
        return reasons;
    }

    private Optional<FailureReason> fromLog(String sha, String key) {
        Path log = out.keyDir(sha, key).resolve(OutputDir.FULL_LOG);
        try {
            if (!Files.isRegularFile(log) || Files.size(log) > 1 << 20) {
                return Optional.empty(); // a fallback log is a few hundred bytes; a real run's log has no section
            }
            return FailedToRunLog.parse(new String(Brotli.decompress(Files.readAllBytes(log)), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
