package org.ktestci.schema.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What bisecting a new failure found (issue 14 item 3). {@code exact}: {@code sha} is the first failing commit,
 * its parents all pass (or are contained in a passing commit, as {@code git bisect} counts them). Otherwise the
 * search stopped at {@code untestable}, a candidate whose run gave no pass or fail: the first bad commit is
 * {@code sha} or one of the {@code candidates} commits between the {@code good} ones and it.
 */
public record FirstBad(String sha, String subject, String author, boolean exact, List<String> good,
                       int candidates, String untestable) {

    public FirstBad {
        good = good == null ? List.of() : List.copyOf(good);
        untestable = untestable == null ? "" : untestable;
        subject = subject == null ? "" : subject;
        author = author == null ? "" : author;
    }

    /** The one line the pages and {@code ci-status} print. */
    public String line() {
        String who = sha + " " + subject + " " + author;
        if (exact) {
            return "first bad: " + who;
        }
        return "first bad: within " + (candidates + 1) + " commits ending at " + who + " (" + untestable
                + " could not be tested; good: " + String.join(", ", good) + ")";
    }

    /** {@code /api/v1} form. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha", sha);
        m.put("subject", subject);
        m.put("author", author);
        m.put("exact", exact);
        m.put("good", good);
        m.put("candidates", candidates);
        m.put("untestable", untestable.isEmpty() ? null : untestable);
        return m;
    }
}
