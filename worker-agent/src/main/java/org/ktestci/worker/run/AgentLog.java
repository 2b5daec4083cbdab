package org.ktestci.worker.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The slot's {@code agent.log}: one line per step of a batch; emptied at batch start. */
final class AgentLog {
    private final Path file;
    private final StringBuilder sinceLastIteration = new StringBuilder();

    AgentLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        Files.writeString(file, "", StandardCharsets.UTF_8);
    }

    synchronized void line(String text) {
        String line = Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + text + "\n";
        sinceLastIteration.append(line);
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            sinceLastIteration.append("(agent.log write failed: ").append(e.getMessage()).append(")\n");
        }
    }

    /** Lines written since the previous call: the agent-log part of an iteration's full log. */
    synchronized String drain() {
        String s = sinceLastIteration.toString();
        sinceLastIteration.setLength(0);
        return s;
    }
}
