package org.ktestci.worker.run;

import org.ktestci.worker.console.ConsoleLimits;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a slot needs from the worker's config to run batches: identity, its workspace, the worker's ktest
 * tree, the default runner and limits; plus the supervisor's escalation waits (shortened only by tests).
 */
public record SlotSettings(String host, int slot, Path workspace, Path ktestDir, String runner, long logCapBytes,
                           long minFreeDiskBytes, Duration afterRunEnd, Duration termGrace, Duration postMortem,
                           ConsoleLimits console) {
    /** Default console limits. */
    public SlotSettings(String host, int slot, Path workspace, Path ktestDir, String runner, long logCapBytes,
                        long minFreeDiskBytes, Duration afterRunEnd, Duration termGrace, Duration postMortem) {
        this(host, slot, workspace, ktestDir, runner, logCapBytes, minFreeDiskBytes, afterRunEnd, termGrace,
                postMortem, ConsoleLimits.DEFAULT);
    }

    public Path slotDir() {
        return workspace.resolve("slot-" + slot);
    }

    public SlotSettings forSlot(int n) {
        return new SlotSettings(host, n, workspace, ktestDir, runner, logCapBytes, minFreeDiskBytes, afterRunEnd,
                termGrace, postMortem, console);
    }
}
