package org.ktestci.schema.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The raw text of a config file, for what tomlj's parse tree forgets: how a key was spelt (so error paths keep
 * TOML quoting, {@code branch."alice-wip".fetch}) and where an array element really starts (tomlj points at the
 * blank or comment after the preceding comma when elements are on separate lines).
 */
final class SourceText {
    /** One segment of a dotted key: its decoded name and the text as written. */
    private record Segment(String name, String raw) {}

    private final List<String> lines;

    SourceText(String content) {
        this.lines = List.of(content.replace("\r\n", "\n").split("\n", -1));
    }

    /**
     * How the last name of {@code path} was written in the key or table header starting at {@code line:column}
     * (1-based), e.g. {@code "alice-wip"} for {@code [branch."alice-wip"]}; empty if it cannot be found there.
     */
    Optional<String> spelling(int line, int column, List<String> path) {
        List<Segment> segments = dottedKeyAt(line, column);
        int depth = path.size() - 1;
        // A header names the path from the root, a dotted key from its table: the name is the segment i whose
        // first i+1 segments equal the path's last i+1 names.
        for (int i = Math.min(depth, segments.size() - 1); i >= 0; i--) {
            boolean matches = true;
            for (int k = 0; k <= i && matches; k++) {
                matches = segments.get(k).name().equals(path.get(depth - i + k));
            }
            if (matches) {
                return Optional.of(segments.get(i).raw());
            }
        }
        return Optional.empty();
    }

    /** The first position at or after {@code line:column} that is not blank, a line end or a comment. */
    int[] skipBlank(int line, int column) {
        int l = line;
        int c = column;
        while (l <= lines.size()) {
            String s = lines.get(l - 1);
            while (c <= s.length() && (s.charAt(c - 1) == ' ' || s.charAt(c - 1) == '\t')) {
                c++;
            }
            if (c <= s.length() && s.charAt(c - 1) != '#') {
                return new int[] {l, c};
            }
            l++;
            c = 1;
        }
        return new int[] {line, column};
    }

    private List<Segment> dottedKeyAt(int line, int column) {
        List<Segment> out = new ArrayList<>();
        if (line < 1 || line > lines.size()) {
            return out;
        }
        String s = lines.get(line - 1);
        int i = column - 1;
        while (i < s.length() && s.charAt(i) == '[') {
            i++;
        }
        while (true) {
            i = skipSpaces(s, i);
            int start = i;
            String name;
            if (i < s.length() && s.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i = basicString(s, i + 1, sb);
                name = sb.toString();
            } else if (i < s.length() && s.charAt(i) == '\'') {
                int end = s.indexOf('\'', i + 1);
                i = end < 0 ? -1 : end + 1;
                name = end < 0 ? null : s.substring(start + 1, end);
            } else {
                while (i < s.length() && isBare(s.charAt(i))) {
                    i++;
                }
                name = i > start ? s.substring(start, i) : null;
            }
            if (i < 0 || name == null) {
                return out;
            }
            out.add(new Segment(name, s.substring(start, i)));
            i = skipSpaces(s, i);
            if (i >= s.length() || s.charAt(i) != '.') {
                return out;
            }
            i++;
        }
    }

    /** Decodes a basic string's body from {@code i} into {@code sb}; returns the index after the closing quote. */
    private static int basicString(String s, int i, StringBuilder sb) {
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '"') {
                return i + 1;
            }
            if (ch != '\\' || i + 1 >= s.length()) {
                sb.append(ch);
                i++;
                continue;
            }
            char e = s.charAt(i + 1);
            int hexLength = e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (hexLength > 0 && i + 2 + hexLength <= s.length()) {
                sb.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 2 + hexLength), 16));
                i += 2 + hexLength;
                continue;
            }
            sb.append(switch (e) {
                case 'b' -> '\b';
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'f' -> '\f';
                case 'r' -> '\r';
                default -> e;
            });
            i += 2;
        }
        return -1;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean isBare(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }
}
