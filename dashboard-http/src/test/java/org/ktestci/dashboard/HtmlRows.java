package org.ktestci.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** Picks table rows and cells out of the dashboard's (machine-written, regular) HTML. */
final class HtmlRows {
    private static final Pattern ROW = Pattern.compile("<tr([^>]*)>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern CELL = Pattern.compile("<t[dh][^>]*>(.*?)</t[dh]>", Pattern.DOTALL);

    private HtmlRows() {
    }

    /** Every row's attributes and inner HTML, in document order. */
    static List<String[]> rows(String html) {
        List<String[]> out = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /** The cells of the first row whose HTML contains {@code marker}. */
    static List<String> cells(String html, String marker) {
        return cells(row(html, marker)[1]);
    }

    /** The attributes (e.g. {@code  class="…"}) of the first row containing {@code marker}. */
    static String rowAttributes(String html, String marker) {
        return row(html, marker)[0];
    }

    private static String[] row(String html, String marker) {
        for (String[] r : rows(html)) {
            if (r[1].contains(marker)) {
                return r;
            }
        }
        return fail("no row contains " + marker + " in " + html);
    }

    static List<String> cells(String rowHtml) {
        List<String> out = new ArrayList<>();
        Matcher m = CELL.matcher(rowHtml);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** All values of the attribute {@code attr} within {@code html}, in order. */
    static List<String> attributeValues(String html, String attr) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(attr + "=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
