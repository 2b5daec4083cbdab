package org.ktestci.schema.config;

import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads from a parsed file that never throw: each problem becomes a {@link ConfigError} with the key's
 * position, and the read returns empty so loading goes on and every error of the file is reported at once.
 * Values are never coerced between TOML types.
 */
final class TomlReader {
    /** An element of a string array with its position, for per-element errors. */
    record Element(String value, int index, int line, int column) {}

    private final String file;
    private final Path baseDir;
    private final SourceText source;
    private final List<ConfigError> errors = new ArrayList<>();

    TomlReader(String file, Path baseDir, SourceText source) {
        this.file = file;
        this.baseDir = baseDir;
        this.source = source;
    }

    List<ConfigError> errors() {
        return errors;
    }

    void error(TomlScope s, String key, String message) {
        int[] p = s.positionOf(key);
        errors.add(new ConfigError(file, p[0], p[1], s.keyPath(key), message));
    }

    void errorAt(int line, int column, String keyPath, String message) {
        errors.add(new ConfigError(file, line, column, keyPath, message));
    }

    void missing(TomlScope s, String key) {
        errors.add(new ConfigError(file, s.line(), s.column(), s.keyPath(key), "required key missing"));
    }

    /** Reports every key of {@code s} not in {@code known}, with a did-you-mean or a fixed hint. */
    void unknownKeys(TomlScope s, Collection<String> known, Map<String, String> hints) {
        for (String key : s.table().keySet()) {
            if (!known.contains(key)) {
                String hint = hints.containsKey(key) ? hints.get(key) : DidYouMean.hint(key, known);
                error(s, key, "unknown key" + hint);
            }
        }
    }

    static String typeName(Object v) {
        if (v instanceof String) {
            return "string";
        } else if (v instanceof Long) {
            return "integer";
        } else if (v instanceof Double) {
            return "float";
        } else if (v instanceof Boolean) {
            return "boolean";
        } else if (v instanceof TomlArray) {
            return "array";
        } else if (v instanceof TomlTable) {
            return "table";
        } else if (v instanceof OffsetDateTime) {
            return "offset date-time";
        } else if (v instanceof LocalDateTime) {
            return "local date-time";
        } else if (v instanceof LocalDate) {
            return "local date";
        } else if (v instanceof LocalTime) {
            return "local time";
        }
        return v == null ? "nothing" : v.getClass().getSimpleName();
    }

    private Object raw(TomlScope s, String key) {
        return s.table().get(List.of(key));
    }

    boolean has(TomlScope s, String key) {
        return s.table().contains(List.of(key));
    }

    Optional<String> string(TomlScope s, String key) {
        Object v = raw(s, key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String str) {
            return Optional.of(str);
        }
        error(s, key, "expected string, got " + typeName(v));
        return Optional.empty();
    }

    Optional<Long> integer(TomlScope s, String key) {
        Object v = raw(s, key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Long l) {
            return Optional.of(l);
        }
        error(s, key, "expected integer, got " + typeName(v));
        return Optional.empty();
    }

    /** An integer in [min, max] (max = {@link #NO_MAX} for no bound but Java's int), else {@code def}. */
    int intIn(TomlScope s, String key, int min, int max, int def) {
        return validInt(s, key, min, max).orElse(def);
    }

    /** An integer in [min, max], or empty when absent or invalid (the problem is reported). */
    Optional<Integer> validInt(TomlScope s, String key, int min, int max) {
        Optional<Long> v = integer(s, key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        long n = v.get();
        if (n < min || n > max) {
            error(s, key, rangeMessage(min, max, n));
            return Optional.empty();
        }
        return Optional.of((int) n);
    }

    static final int NO_MAX = Integer.MAX_VALUE;

    static String rangeMessage(int min, int max, long got) {
        if (max == NO_MAX) {
            return got < min ? "must be >= " + min + ", got " + got : "must be <= " + NO_MAX + ", got " + got;
        }
        return "must be between " + min + " and " + max + ", got " + got;
    }

    Optional<Boolean> bool(TomlScope s, String key) {
        Object v = raw(s, key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        error(s, key, "expected boolean, got " + typeName(v));
        return Optional.empty();
    }

    Optional<TomlScope> table(TomlScope s, String key) {
        Object v = raw(s, key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof TomlTable t) {
            return Optional.of(s.child(key, t));
        }
        error(s, key, "expected table, got " + typeName(v));
        return Optional.empty();
    }

    /** A string array; non-string elements are reported one by one and skipped. */
    Optional<List<Element>> stringArray(TomlScope s, String key) {
        Object v = raw(s, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof TomlArray arr)) {
            error(s, key, "expected array of strings, got " + typeName(v));
            return Optional.empty();
        }
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            Object e = arr.get(i);
            TomlPosition p = arr.inputPositionOf(i);
            int[] at = p == null ? s.positionOf(key) : source.skipBlank(p.line(), p.column());
            int line = at[0];
            int col = at[1];
            if (e instanceof String str) {
                out.add(new Element(str, i, line, col));
            } else {
                errorAt(line, col, s.keyPath(key) + "[" + i + "]", "expected string, got " + typeName(e));
            }
        }
        return Optional.of(out);
    }

    /** {@code "x86_64"} or {@code "aarch64"}. */
    Optional<Arch> arch(TomlScope s, String key) {
        Optional<String> v = string(s, key);
        Optional<Arch> a = v.flatMap(Arch::fromConfig);
        if (v.isPresent() && a.isEmpty()) {
            error(s, key, Arch.notAnArch(v.get()));
        }
        return a;
    }

    /** A path resolved against the config file's directory ({@code ~} is not expanded). */
    Optional<Path> path(TomlScope s, String key) {
        Optional<String> v = string(s, key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(resolve(v.get()));
        } catch (InvalidPathException e) {
            error(s, key, "not a valid path: " + e.getReason());
            return Optional.empty();
        }
    }

    Path resolve(String p) {
        Path path = Path.of(p);
        return path.isAbsolute() ? path.normalize() : baseDir.resolve(path).normalize();
    }
}
