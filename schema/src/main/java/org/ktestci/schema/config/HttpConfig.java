package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Optional;

/** {@code [http]} (config.md §6.2). */
public record HttpConfig(String bindHost, int bindPort, String basePath, Optional<Path> adminTokenFile) {
}
