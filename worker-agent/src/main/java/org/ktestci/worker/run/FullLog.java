package org.ktestci.worker.run;

import org.ktestci.protocol.RunBatch;
import org.ktestci.schema.keys.ResultKeys;
import org.ktestci.worker.console.RunOutcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The full log of one run iteration (ktest-interface.md §5.4): header, agent log, console, trailer. */
final class FullLog {
    private FullLog() {
    }

    static byte[] assemble(SlotSettings slot, RunBatch b, int iteration, String runner, List<String> subtests,
                           String agentLog, Path consoleFile, RunOutcome outcome) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String header = "# host=" + slot.host() + " slot=" + slot.slot() + " commit=" + b.commit() + " kernel="
                + b.kernel() + " test=" + b.test() + " env=" + ResultKeys.encodeEnv(b.env()) + " subtests="
                + String.join(",", subtests) + " arch=" + b.arch() + " lease=" + b.leaseId() + " epoch=" + b.epoch()
                + " iteration=" + iteration + " runner=" + runner + "\n";
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes("# ---- agent log ----\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(agentLog.getBytes(StandardCharsets.UTF_8));
        out.writeBytes("# ---- console ----\n".getBytes(StandardCharsets.UTF_8));
        if (Files.exists(consoleFile)) {
            out.writeBytes(Files.readAllBytes(consoleFile));
        }
        out.writeBytes(("# ---- end: reason=" + outcome.reason().wireName() + " exit=" + outcome.exitText() + " seconds="
                + outcome.seconds() + " ----\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
