package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Paths that end up inside a URL or an option list, where one character would change what the string means:
 * the journal's H2 JDBC URL ({@code jdbc:h2:file:<path>;SETTING=…}: H2 has no escape for {@code ;}, so a
 * {@code ;INIT=…} in a path would run SQL) and QEMU's comma-separated options ({@code file=<path>,format=raw}).
 * Such paths are refused at load rather than escaped (config.md §2, §6.2, §6.3).
 */
final class EmbeddedPaths {
    /** state_dir: the default H2 file and the default worker workspace both live in it. */
    static final String STATE_DIR = ";,";
    static final String H2_FILE = ";";
    static final String WORKSPACE = ",";

    private EmbeddedPaths() {
    }

    /** What is wrong with {@code path} given the characters it must not hold, or empty. */
    static Optional<String> problem(Path path, String forbidden) {
        String p = path.toString();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("must not contain control characters, got \"" + printable(p) + "\"");
            }
            if (forbidden.indexOf(c) >= 0) {
                return Optional.of("must not contain '" + c + "' (" + why(c) + "), got \"" + p + "\"");
            }
        }
        return Optional.empty();
    }

    private static String why(char c) {
        return c == ';' ? "it would end the journal's H2 JDBC URL" : "it would split a QEMU option list";
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return sb.toString();
    }
}
