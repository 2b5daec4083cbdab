package org.ktestci.worker.console;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Knobs of one supervised run. {@code timeout} is T of ktest-interface.md §4.4; the three waits are the spec's
 * 30 s after a run verdict, 10 s between TERM and KILL, and the 5 s post-mortem window after a crash line
 * (tests shorten them). {@code injectRunEndOnExit} is the host runner's rule: when the child exits, inject
 * {@code TEST SUCCESS} (exit 0) or {@code TEST FAILED}. {@code monitor} decides which {@code QEMU_MONITOR} lines
 * reach {@code monitorSocket}; {@code console} bounds what the console may cost.
 */
public record SupervisorSettings(Duration timeout, long logCapBytes, Duration afterRunEnd, Duration termGrace,
                                 Duration postMortem, boolean injectRunEndOnExit, Optional<Path> monitorSocket,
                                 MonitorPolicy monitor, ConsoleLimits console) {
    /** Nothing relayed to the monitor, default console limits. */
    public SupervisorSettings(Duration timeout, long logCapBytes, Duration afterRunEnd, Duration termGrace,
                              Duration postMortem, boolean injectRunEndOnExit, Optional<Path> monitorSocket) {
        this(timeout, logCapBytes, afterRunEnd, termGrace, postMortem, injectRunEndOnExit, monitorSocket,
                MonitorPolicy.none(), ConsoleLimits.DEFAULT);
    }

    public static SupervisorSettings defaults(Duration timeout, long logCapBytes, boolean injectRunEndOnExit,
                                              Optional<Path> monitorSocket) {
        return new SupervisorSettings(timeout, logCapBytes, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(5), injectRunEndOnExit, monitorSocket);
    }
}
