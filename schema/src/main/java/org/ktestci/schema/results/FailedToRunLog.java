package org.ktestci.schema.results;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fallback {@code full_log.br} the coordinator writes for a Failed to run result whose last attempt delivered
 * no log (storage.md §4): a header line, {@code # ---- failed to run ----}, then one line per attempt
 * {@code # attempt <n> host=<h> slot=<s> lease=<id> reason=<reason> at=<RFC 3339>}. Read back by
 * {@code ci-status} and dashboards without a journal.
 */
public final class FailedToRunLog {
    public static final String SECTION = "# ---- failed to run ----";
    private static final Pattern ATTEMPT = Pattern.compile(
            "^# attempt (\\d+) host=(\\S*) slot=(-?\\d+) lease=(\\S*) reason=(\\S*) at=(\\S+)$");

    private FailedToRunLog() {
    }

    /** The log text (UTF-8 before compression). */
    public static String render(String sha, String key, FailureReason reason) {
        StringBuilder b = new StringBuilder("# commit=").append(sha).append(" key=").append(key)
                .append(" status=FAILED TO RUN reason=").append(reason.code())
                .append(" (written by the coordinator: no attempt delivered a log)\n").append(SECTION).append('\n');
        for (FailureReason.Attempt a : reason.attempts()) {
            b.append("# attempt ").append(a.attempt()).append(" host=").append(token(a.host())).append(" slot=")
                    .append(a.slot()).append(" lease=").append(token(a.leaseId())).append(" reason=")
                    .append(token(a.reason())).append(" at=").append(a.atText()).append('\n');
        }
        return b.toString();
    }

    /** The reason a log's failed-to-run section states (its last attempt's), or empty without such a section. */
    public static Optional<FailureReason> parse(String log) {
        List<FailureReason.Attempt> attempts = new ArrayList<>();
        boolean inSection = false;
        for (String line : log.split("\n", -1)) {
            if (line.equals(SECTION)) {
                inSection = true;
                continue;
            }
            if (!inSection) {
                continue;
            }
            Matcher m = ATTEMPT.matcher(line);
            if (!m.matches()) {
                break;
            }
            attempts.add(new FailureReason.Attempt(Integer.parseInt(m.group(1)), m.group(2),
                    Integer.parseInt(m.group(3)), m.group(4), m.group(5), seconds(m.group(6))));
        }
        if (!inSection || attempts.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new FailureReason(attempts.get(attempts.size() - 1).reason(), attempts));
    }

    private static long seconds(String rfc3339) {
        try {
            return Instant.parse(rfc3339).getEpochSecond();
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    /** Host names, lease ids and reasons have no spaces; an empty one is written as {@code -}. */
    private static String token(String s) {
        return s == null || s.isEmpty() ? "-" : s.replaceAll("\\s", "_");
    }
}
