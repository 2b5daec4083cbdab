package org.ktestci.dashboard;

import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Inline SVG charts (no scripts, so the page's CSP holds): a key's history strip, one linked cell per commit,
 * and a branch's pass-rate chart, one linked bar per tested commit. Colours come from the stylesheet classes.
 */
final class Svg {
    static final int CELL = 9;
    private static final int CELL_HEIGHT = 14;
    private static final int BAR = 6;
    private static final int CHART_HEIGHT = 60;

    private Svg() {
    }

    /** One commit of a strip: its sha, the key's status there (empty: no result). */
    record Cell(String sha, Optional<Status> status) {}

    /** One tested commit of the chart. */
    record Bar(String sha, String subject, int passed, int failed) {}

    static String cellClass(Optional<Status> s) {
        return s.isEmpty() ? "h-none" : s.get() == Status.PASSED ? "h-passed"
                : s.get() == Status.FAILED ? "h-failed" : "h-other";
    }

    /** Cells newest first (left), each a link to {@code <base>/ci?commit=<sha>} with a {@code title}. */
    static String strip(List<Cell> cells, String base, String... extraParams) {
        int width = cells.size() * CELL;
        StringBuilder b = new StringBuilder("<svg class=\"history\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width).append("\" height=\"").append(CELL_HEIGHT).append("\" viewBox=\"0 0 ").append(width)
                .append(' ').append(CELL_HEIGHT).append("\" role=\"img\" aria-label=\"history\">");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            String title = c.sha().substring(0, 12) + " " + c.status().map(Status::display).orElse("no result");
            String[] params = new String[2 + extraParams.length];
            params[0] = "commit";
            params[1] = c.sha();
            System.arraycopy(extraParams, 0, params, 2, extraParams.length);
            b.append("<a href=\"").append(Html.ciHref(base, params)).append("\" title=\"").append(Html.esc(title))
                    .append("\"><rect class=\"").append(cellClass(c.status())).append("\" x=\"").append(i * CELL)
                    .append("\" y=\"0\" width=\"").append(CELL - 1).append("\" height=\"").append(CELL_HEIGHT)
                    .append("\"><title>").append(Html.esc(title)).append("</title></rect></a>");
        }
        return b.append("</svg>").toString();
    }

    /**
     * The commit page's strip, one per row of up to 13,000: no links, one path per status class whose subpaths
     * are runs of neighbouring cells, drawn as a 14 px line dashed {@code 8 1} (stylesheet) so each commit is a
     * cell. About 150 bytes where the linked strip takes 5 KB; the branch's single-test view has the links.
     */
    static String compactStrip(List<Optional<Status>> newestFirst) {
        int n = newestFirst.size();
        int width = n * CELL;
        // Per class, in order of first appearance: its path data and cell count (4 classes, no maps per row).
        String[] order = new String[CLASSES.length];
        StringBuilder[] paths = new StringBuilder[CLASSES.length];
        int[] counts = new int[CLASSES.length];
        int used = 0;
        for (int i = 0; i < n; ) {
            String cls = cellClass(newestFirst.get(i));
            int j = i + 1;
            while (j < n && cellClass(newestFirst.get(j)).equals(cls)) {
                j++;
            }
            int k = 0;
            while (k < used && !order[k].equals(cls)) {
                k++;
            }
            if (k == used) {
                order[used] = cls;
                paths[used++] = new StringBuilder();
            }
            paths[k].append('M').append(i * CELL).append(" 7h").append((j - i) * CELL);
            counts[k] += j - i;
            i = j;
        }
        StringBuilder b = new StringBuilder(160 + 40 * used).append("<svg class=\"history strip\" width=\"")
                .append(width).append("\" height=\"").append(CELL_HEIGHT).append("\" viewBox=\"0 0 ").append(width)
                .append(' ').append(CELL_HEIGHT).append("\"><title>last ").append(n)
                .append(n == 1 ? " commit" : " commits").append(", newest left:");
        for (int k = 0; k < used; k++) {
            b.append(k == 0 ? " " : ", ").append(counts[k]).append(' ').append(LABEL.get(order[k]));
        }
        b.append("</title>");
        for (int k = 0; k < used; k++) {
            b.append("<path class=\"").append(order[k]).append("\" d=\"").append(paths[k]).append("\"/>");
        }
        return b.append("</svg>").toString();
    }

    private static final String[] CLASSES = {"h-passed", "h-failed", "h-other", "h-none"};

    private static final Map<String, String> LABEL = Map.of("h-passed", "passed", "h-failed", "failed",
            "h-other", "other", "h-none", "no result");

    /**
     * Bars oldest left to newest right; height = passed / (passed + failed); a commit without completed runs is a
     * short grey stub. {@code branch} goes into the links so the commit view walks that branch.
     */
    static String passRate(List<Bar> newestFirst, String base, String branch) {
        int n = newestFirst.size();
        int width = Math.max(1, n * BAR);
        StringBuilder b = new StringBuilder("<svg class=\"pass-rate\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width).append("\" height=\"").append(CHART_HEIGHT).append("\" viewBox=\"0 0 ").append(width)
                .append(' ').append(CHART_HEIGHT).append("\" role=\"img\" aria-label=\"pass rate per commit\">")
                .append("<line class=\"axis\" x1=\"0\" y1=\"").append(CHART_HEIGHT - 0.5).append("\" x2=\"")
                .append(width).append("\" y2=\"").append(CHART_HEIGHT - 0.5).append("\"/>");
        for (int k = 0; k < n; k++) {
            Bar bar = newestFirst.get(n - 1 - k);
            int completed = bar.passed() + bar.failed();
            double rate = completed == 0 ? 0 : (double) bar.passed() / completed;
            int h = completed == 0 ? 2 : Math.max(1, (int) Math.round(rate * (CHART_HEIGHT - 2)));
            String cls = completed == 0 ? "h-other" : bar.failed() == 0 ? "h-passed" : "h-failed";
            String title = bar.sha().substring(0, 12) + " " + bar.subject() + ": " + bar.passed() + " passed, "
                    + bar.failed() + " failed" + (completed == 0 ? "" : String.format(Locale.ROOT, " (%.1f%%)",
                    100 * rate));
            b.append("<a href=\"").append(Html.ciHref(base, "commit", bar.sha(), "branch", branch))
                    .append("\" title=\"").append(Html.esc(title)).append("\"><rect class=\"").append(cls)
                    .append("\" x=\"").append(k * BAR).append("\" y=\"").append(CHART_HEIGHT - h).append("\" width=\"")
                    .append(BAR - 1).append("\" height=\"").append(h).append("\"><title>").append(Html.esc(title))
                    .append("</title></rect></a>");
        }
        return b.append("</svg>").toString();
    }
}
