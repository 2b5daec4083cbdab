package org.ktestci.schema.config;

import org.ktestci.schema.git.UrlCredentials;

import java.util.List;

/** One problem in a config file, printed as {@code <file>:<line>:<column>: <key.path>: <message>} (config.md §1.1). */
public record ConfigError(String file, int line, int column, String keyPath, String message) {
    /**
     * One line, always: a value quoted in the message (a path, a string with {@code \n} or an escape sequence in
     * it) has its control characters shown as {@code \n}, {@code \t} or {@code \xNN}. A URL quoted in it has its
     * credentials masked: these lines are logged and served (a reload's {@code config_errors}).
     */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + printable(keyPath) + ": "
                + printable(UrlCredentials.scrub(message, List.of()));
    }

    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f && c != '\u2028' && c != '\u2029') {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            sb.append(switch (c) {
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                default -> String.format("\\x%02x", (int) c);
            });
        }
        return sb == null ? s : sb.toString();
    }
}
