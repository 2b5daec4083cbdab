package org.ktestci.dashboard;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.status.Status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A branch's history from one commit back (index 0 = that commit) as the commit view shows it per key: Last
 * good, the 20-cell history strip and the {@code new} badge (http.md §2). Blobs are read once, on demand.
 */
final class KeyHistory {
    static final int STRIP = 20;

    private final Commits commits;
    private final List<String> shas;
    private final List<Map<String, Status>> statuses = new ArrayList<>();

    KeyHistory(Commits commits, List<String> shas) {
        this.commits = commits;
        this.shas = shas;
    }

    private Optional<Status> status(int index, String key) {
        while (statuses.size() <= index) {
            Map<String, Status> byKey = new HashMap<>();
            commits.results(shas.get(statuses.size())).map(CommitResults::entries).orElse(List.of())
                    .forEach(e -> byKey.put(e.name(), e.status()));
            statuses.add(byKey);
        }
        return Optional.ofNullable(statuses.get(index).get(key));
    }

    /**
     * The index of the first commit where the key Passed; {@code >= i} if commit i lacks the key or has a status
     * other than Passed/Failed first; {@code >= count} if it failed in every walked commit; — without history.
     */
    String lastGood(String key) {
        if (shas.isEmpty()) {
            return "—";
        }
        for (int i = 0; i < shas.size(); i++) {
            Optional<Status> s = status(i, key);
            if (s.isPresent() && s.get() == Status.PASSED) {
                return Integer.toString(i);
            }
            if (s.isEmpty() || s.get() != Status.FAILED) {
                return "&gt;= " + i;
            }
        }
        return "&gt;= " + shas.size();
    }

    /** One cell per commit for the {@value #STRIP} commits ending at this one, newest left, each a link. */
    String strip(String key, String base) {
        if (shas.isEmpty()) {
            return "—";
        }
        StringBuilder b = new StringBuilder("<span class=\"history\">");
        for (int i = 0; i < Math.min(STRIP, shas.size()); i++) {
            Optional<Status> s = status(i, key);
            String cls = s.isEmpty() ? "h-none" : s.get() == Status.PASSED ? "h-passed"
                    : s.get() == Status.FAILED ? "h-failed" : "h-other";
            String sha = shas.get(i);
            b.append("<a class=\"").append(cls).append("\" title=\"").append(sha, 0, 12).append(' ')
                    .append(s.map(Status::display).orElse("no result")).append("\" href=\"")
                    .append(Html.ciHref(base, "commit", sha)).append("\"></a>");
        }
        return b.append("</span>").toString();
    }

    /** Whether this commit is the key's first failing commit (§5.4 with this commit as the newest). */
    boolean failsFirstHere(String key) {
        if (shas.isEmpty() || status(0, key).filter(s -> s == Status.FAILED).isEmpty()) {
            return false;
        }
        for (int i = 1; i < shas.size(); i++) {
            Optional<Status> s = status(i, key);
            if (s.isPresent() && (s.get() == Status.PASSED || s.get() == Status.FAILED)) {
                return s.get() == Status.PASSED;
            }
        }
        return true;
    }
}
