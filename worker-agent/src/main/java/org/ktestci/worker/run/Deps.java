package org.ktestci.worker.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The declarations a test's {@code deps} prints (ktest-interface.md §1.1): {@code name=value} and
 * {@code name=(a b c)}, quotes removed; unparseable lines ignored.
 */
public record Deps(Map<String, List<String>> values) {
    private static final Pattern ASSIGN = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$");

    public static Deps parse(String output) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            Matcher m = ASSIGN.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String v = m.group(2).strip();
            if (v.startsWith("(") && v.endsWith(")")) {
                List<String> items = new ArrayList<>();
                for (String item : v.substring(1, v.length() - 1).trim().split("\\s+")) {
                    if (!item.isEmpty()) {
                        items.add(unquote(item));
                    }
                }
                values.put(m.group(1), items);
            } else {
                values.put(m.group(1), List.of(unquote(v)));
            }
        }
        return new Deps(values);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    public Optional<String> value(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public boolean flag(String name) {
        return value(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "y" -> true;
            default -> false;
        }).orElse(false);
    }

    /** {@code ktest_timeout} as a positive integer, if declared. */
    public Optional<Long> timeoutSeconds() {
        return value("ktest_timeout").flatMap(v -> {
            try {
                long n = Long.parseLong(v);
                return n > 0 ? Optional.of(n) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** {@code ktest_arch}, normalised to {@code x86_64} / {@code aarch64} (other values returned as given). */
    public Optional<String> arch() {
        return value("ktest_arch").map(a -> switch (a) {
            case "x86_64", "amd64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        });
    }
}
