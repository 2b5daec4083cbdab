package org.ktestci.schema.config;

import org.tomlj.Toml;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A table of the file with its key path (names as written, for messages) and the position of its header (for
 * "missing key" errors).
 */
record TomlScope(TomlTable table, List<String> names, List<String> spelled, int line, int column,
                 SourceText source) {
    private static final Pattern BARE = Pattern.compile("^[A-Za-z0-9_-]+$");

    static TomlScope root(TomlTable table, SourceText source) {
        return new TomlScope(table, List.of(), List.of(), 1, 1, source);
    }

    TomlScope child(String key, TomlTable sub) {
        int[] p = positionOf(key);
        return new TomlScope(sub, append(names, key), append(spelled, spell(key)), p[0], p[1], source);
    }

    /** A table the file does not have: "missing key" errors in it point at the top of the file. */
    TomlScope absent(String key) {
        return new TomlScope(Toml.parse(""), append(names, key), append(spelled, spell(key)), 1, 1, source);
    }

    /** Dotted key path of {@code key} in this table, segments spelt as in the file ({@code branch."a-b".fetch}). */
    String keyPath(String key) {
        StringBuilder sb = new StringBuilder();
        for (String seg : spelled) {
            sb.append(seg).append('.');
        }
        return sb.append(spell(key)).toString();
    }

    int[] positionOf(String key) {
        TomlPosition pos = table.inputPositionOf(List.of(key));
        return pos == null ? new int[] {line, column} : new int[] {pos.line(), pos.column()};
    }

    private String spell(String key) {
        TomlPosition pos = table.inputPositionOf(List.of(key));
        if (pos != null) {
            var asWritten = source.spelling(pos.line(), pos.column(), append(names, key));
            if (asWritten.isPresent()) {
                return asWritten.get();
            }
        }
        return quote(key);
    }

    /** A name not found in the file: bare if TOML allows, else a basic string. */
    static String quote(String seg) {
        return BARE.matcher(seg).matches() ? seg : "\"" + seg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static List<String> append(List<String> list, String last) {
        List<String> out = new ArrayList<>(list);
        out.add(last);
        return List.copyOf(out);
    }
}
