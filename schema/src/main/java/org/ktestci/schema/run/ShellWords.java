package org.ktestci.schema.run;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** POSIX shell quoting of words and its inverse for the quoting this class writes (plus double quotes). */
public final class ShellWords {
    private static final Pattern PLAIN = Pattern.compile("^[A-Za-z0-9_./:=@%+,-]+$");

    private ShellWords() {
    }

    /** {@code s} as one shell word: as it is when only safe characters, else single-quoted. */
    public static String quote(String s) {
        if (PLAIN.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static String join(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            b.append(b.length() == 0 ? "" : " ").append(quote(w));
        }
        return b.toString();
    }

    /** Splits a line into words: whitespace separates, single and double quotes group, backslash escapes. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                end = end < 0 ? line.length() : end;
                w.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i++;
                while (i < line.length() && line.charAt(i) != '"') {
                    if (line.charAt(i) == '\\' && i + 1 < line.length()) {
                        i++;
                    }
                    w.append(line.charAt(i++));
                }
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }
}
