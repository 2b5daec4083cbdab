package org.ktestci.dashboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code /c/} request path that passed the allow-list of http.md §4, checked on the raw (still
 * percent-encoded) path before anything touches the disk.
 */
record ResultPath(Kind kind, List<String> segments) {
    private static final Pattern FIRST = Pattern.compile("^[0-9a-f]{40}(\\.capnp)?$");
    private static final Pattern KEY = Pattern.compile("^[A-Za-z0-9._@=,+:-]+$");
    static final Set<String> FILES = Set.of("status", "duration", "log.br", "full_log.br");
    /** A re-run's logs beside the verdict's (issue 14): {@code rerun-<n>.log.br}, {@code rerun-<n>.full_log.br}. */
    private static final Pattern RERUN = Pattern.compile("^rerun-[1-9][0-9]?\\.(full_)?log\\.br$");

    /** Whether {@code name} is a file of a key's directory the allow-list serves. */
    static boolean isFile(String name) {
        return FILES.contains(name) || RERUN.matcher(name).matches();
    }
    static final String DURATIONS = "test_durations.capnp";

    enum Kind {
        /** {@code <sha>.capnp} or {@code test_durations.capnp}. */
        BLOB,
        /** {@code <sha>/}. */
        COMMIT_DIR,
        /** {@code <sha>/<key>/}. */
        KEY_DIR,
        /** {@code <sha>/<key>/<status|duration|log.br|full_log.br>}. */
        KEY_FILE;

        /** The methods of http.md §1: files answer HEAD too, listings only GET. */
        String allow() {
            return this == BLOB || this == KEY_FILE ? "GET, HEAD" : "GET";
        }
    }

    /** The file or directory name the last segment names (for listings: the directory). */
    String name() {
        return segments.get(segments.size() - 1);
    }

    boolean isLog() {
        return kind == Kind.KEY_FILE && name().endsWith(".br");
    }

    /** Whether {@code name} is a key a listing of {@code <sha>/} may show. */
    static boolean isKey(String name) {
        return KEY.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /**
     * {@code rawTail} is the raw path after {@code /c/}. Dot segments (also percent-encoded ones), {@code \},
     * NUL and encoded {@code /} or {@code \} are 400; anything else outside the allow-list is 404.
     */
    static ResultPath parse(String rawTail) {
        String lower = rawTail.toLowerCase(Locale.ROOT);
        if (rawTail.indexOf('\\') >= 0 || rawTail.indexOf('\0') >= 0 || lower.contains("%00")
                || lower.contains("%2f") || lower.contains("%5c")) {
            throw HttpError.badRequest("invalid path");
        }
        String[] raw = rawTail.split("/", -1);
        List<String> segs = new ArrayList<>();
        for (String seg : raw) {
            String decoded = decode(seg);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw HttpError.badRequest("invalid path");
            }
            segs.add(decoded);
        }
        boolean directory = segs.size() > 1 && segs.get(segs.size() - 1).isEmpty();
        if (directory) {
            segs.remove(segs.size() - 1);
        }
        Kind kind = kind(segs, directory);
        if (kind == null) {
            throw HttpError.notFound("Not found");
        }
        return new ResultPath(kind, List.copyOf(segs));
    }

    private static Kind kind(List<String> segs, boolean directory) {
        String first = segs.get(0);
        boolean blob = first.equals(DURATIONS) || first.endsWith(".capnp");
        if (!first.equals(DURATIONS) && !FIRST.matcher(first).matches()) {
            return null;
        }
        if (blob) {
            return segs.size() == 1 && !directory ? Kind.BLOB : null;
        }
        if (segs.size() == 1) {
            return directory ? Kind.COMMIT_DIR : null;
        }
        if (!isKey(segs.get(1))) {
            return null;
        }
        if (segs.size() == 2) {
            return directory ? Kind.KEY_DIR : null;
        }
        return segs.size() == 3 && !directory && isFile(segs.get(2)) ? Kind.KEY_FILE : null;
    }

    private static String decode(String seg) {
        try {
            // '+' is a literal plus in a path (it only means space in form-encoded queries)
            return URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("invalid path");
        }
    }
}
