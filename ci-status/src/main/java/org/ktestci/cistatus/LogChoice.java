package org.ktestci.cistatus;

import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.PrintStream;
import java.util.List;

/**
 * Which result key {@code logs <sha> <test>} prints (cli.md §2): keys containing {@code test}; when several match
 * they are listed on stderr, and the exact match wins, else the first Failed one in byte order, else the first.
 */
final class LogChoice {
    private LogChoice() {
    }

    static ResultEntry choose(LocalResults.Tested tested, String test, PrintStream err, Terminal out) {
        // Blob entries are sorted by key in byte order, so "first" is the byte-order first.
        List<ResultEntry> matches = tested.results().entries().stream().filter(e -> e.name().contains(test)).toList();
        if (matches.isEmpty()) {
            throw new CliError("no test matching '" + test + "' in " + tested.sha12());
        }
        if (matches.size() > 1) {
            matches.forEach(m -> err.println(out.untrusted(m.name())));
        }
        return matches.stream().filter(e -> e.name().equals(test)).findFirst()
                .or(() -> matches.stream().filter(e -> e.status() == Status.FAILED).findFirst())
                .orElse(matches.get(0));
    }
}
