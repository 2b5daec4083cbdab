package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Optional;

/** {@code [persistence]} (config.md §6.2): the journal backend; {@code url} is set when it is PostgreSQL. */
public record PersistenceConfig(Journal journal, Path h2File, Optional<String> url, String user,
                                Optional<Path> passwordFile) {
    public enum Journal { H2, POSTGRESQL }
}
