package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code [persistence]} (config.md §6.2). */
final class PersistenceReader {
    private final TomlReader r;
    private final TomlScope root;

    PersistenceReader(TomlReader r, TomlScope root) {
        this.r = r;
        this.root = root;
    }

    PersistenceConfig read(Path stateDir) {
        TomlScope s = r.table(root, "persistence").orElseGet(() -> root.absent("persistence"));
        r.unknownKeys(s, List.of("journal", "h2_file", "url", "user", "password_file"), Map.of());
        PersistenceConfig.Journal journal = PersistenceConfig.Journal.H2;
        Optional<String> j = r.string(s, "journal");
        if (j.isPresent()) {
            switch (j.get()) {
                case "h2" -> journal = PersistenceConfig.Journal.H2;
                case "postgresql" -> journal = PersistenceConfig.Journal.POSTGRESQL;
                default -> r.error(s, "journal", "must be one of \"h2\", \"postgresql\", got \"" + j.get() + "\"");
            }
        }
        Path h2 = r.path(s, "h2_file").orElse(stateDir.resolve("journal"));
        if (r.has(s, "h2_file")) {
            EmbeddedPaths.problem(h2, EmbeddedPaths.H2_FILE).ifPresent(m -> r.error(s, "h2_file", m));
        }
        Optional<String> url = r.string(s, "url");
        url.filter(u -> !u.startsWith("jdbc:postgresql://"))
                .ifPresent(u -> r.error(s, "url", "must be a jdbc:postgresql:// URL, got \"" + u + "\""));
        if (journal == PersistenceConfig.Journal.POSTGRESQL && !r.has(s, "url")) {
            r.errorAt(s.line(), s.column(), s.keyPath("url"), "required key missing (journal = \"postgresql\")");
        }
        String user = r.string(s, "user").orElse("ktest_ci");
        Optional<Path> password = r.path(s, "password_file");
        return new PersistenceConfig(journal, h2, url, user, password);
    }
}
