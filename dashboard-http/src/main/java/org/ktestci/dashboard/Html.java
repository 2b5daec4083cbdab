package org.ktestci.dashboard;

import org.ktestci.schema.results.FirstBad;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** HTML building blocks: every untrusted value goes through {@link #esc} or {@link #url}. */
final class Html {
    private Html() {
    }

    /** Escapes {@code & < > " '} for text and attribute values. */
    static String esc(String s) {
        int first = 0;
        while (first < s.length() && !special(s.charAt(first))) {
            first++;
        }
        if (first == s.length()) {
            return s; // the common case (test names, shas): nothing to escape, nothing to copy
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean special(char c) {
        return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
    }

    /** Percent-encodes one URL component, keeping only RFC 3986 unreserved characters. */
    static String url(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~';
        }
        if (plain) {
            return s;
        }
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }

    /** A link to {@code <base>/ci} with the given query parameters (name, value pairs), escaped for an attribute. */
    /**
     * "first bad: sha subject author" (issue 14 item 3), the sha linking to that commit's page; for a search that
     * stopped at an untestable commit, the range it narrowed the failure to.
     */
    static String firstBad(String basePath, FirstBad f) {
        String link = "<a href=\"" + ciHref(basePath, "commit", f.sha()) + "\"><code>" + f.sha().substring(0, 12)
                + "</code></a>";
        String who = link + " " + esc(f.subject()) + " <span class=\"author\">" + esc(f.author()) + "</span>";
        if (f.exact()) {
            return "<div class=\"first-bad\">first bad: " + who + "</div>";
        }
        return "<div class=\"first-bad range\">first bad: within " + (f.candidates() + 1) + " commits ending at "
                + who + " (<code>" + esc(f.untestable().substring(0, Math.min(12, f.untestable().length())))
                + "</code> could not be tested)</div>";
    }

    static String ciHref(String basePath, String... params) {
        StringBuilder b = new StringBuilder(basePath).append("/ci");
        for (int i = 0; i < params.length; i += 2) {
            b.append(i == 0 ? '?' : '&').append(url(params[i])).append('=').append(url(params[i + 1]));
        }
        return esc(b.toString());
    }

    /** {@code <a href="…">text</a>} with an already escaped href and an untrusted text. */
    static String link(String escapedHref, String text) {
        return "<a href=\"" + escapedHref + "\">" + esc(text) + "</a>";
    }

    static String page(String basePath, String title, String body, String... scripts) {
        return page(basePath, title, null, body, true, scripts);
    }

    /**
     * A page whose scripts run as soon as they are loaded, before the body is parsed: for a script whose
     * (delegated) handlers must work from the first row the page shows, not from the end of its parsing.
     */
    static String pageWithEarlyScripts(String basePath, String title, String body, String... scripts) {
        return page(basePath, title, null, body, false, scripts);
    }

    /** A feed the page announces in its head ({@code <link rel="alternate">}); the href is already escaped. */
    record Feed(String escapedHref, String title) {}

    /** A page announcing {@code feed}. */
    static String page(String basePath, String title, Feed feed, String body, String... scripts) {
        return page(basePath, title, feed, body, true, scripts);
    }

    private static String page(String basePath, String title, Feed feed, String body, boolean defer,
                               String... scripts) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append("</title>")
                .append("<link rel=\"stylesheet\" href=\"").append(esc(basePath)).append("/static/ktest-ci.css\">")
                // Named, or browsers ask for /favicon.ico on every page and log a 404.
                .append("<link rel=\"icon\" type=\"image/svg+xml\" href=\"").append(esc(basePath))
                .append("/static/favicon.svg\">");
        if (feed != null) {
            sb.append("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"").append(esc(feed.title()))
                    .append("\" href=\"").append(feed.escapedHref()).append("\">");
        }
        for (String s : scripts) {
            sb.append(defer ? "<script defer src=\"" : "<script src=\"").append(esc(basePath)).append("/static/")
                    .append(esc(s)).append("\"></script>");
        }
        sb.append("</head><body><nav><a href=\"").append(esc(basePath)).append("/ci\">ktest-ci</a></nav><main>")
                .append(body).append("</main></body></html>\n");
        return sb.toString();
    }
}
