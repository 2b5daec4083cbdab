package org.ktestci.schema.config;

import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A table of the file with its key path and the position of its header (for "missing key" errors). */
record TomlScope(TomlTable table, List<String> path, int line, int column) {
    private static final Pattern BARE = Pattern.compile("^[A-Za-z0-9_-]+$");

    static TomlScope root(TomlTable table) {
        return new TomlScope(table, List.of(), 1, 1);
    }

    TomlScope child(String key, TomlTable sub) {
        List<String> p = new ArrayList<>(path);
        p.add(key);
        TomlPosition pos = table.inputPositionOf(List.of(key));
        return new TomlScope(sub, List.copyOf(p), pos == null ? line : pos.line(), pos == null ? column : pos.column());
    }

    /** Dotted key path, quoting segments that are not bare TOML keys ({@code branch."alice-wip".fetch}). */
    String keyPath(String key) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path) {
            sb.append(quote(seg)).append('.');
        }
        return sb.append(quote(key)).toString();
    }

    String ownPath() {
        StringBuilder sb = new StringBuilder();
        for (String seg : path) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(quote(seg));
        }
        return sb.toString();
    }

    static String quote(String seg) {
        return BARE.matcher(seg).matches() ? seg : "\"" + seg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    int[] positionOf(String key) {
        TomlPosition pos = table.inputPositionOf(List.of(key));
        return pos == null ? new int[] {line, column} : new int[] {pos.line(), pos.column()};
    }
}
