package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code [http]} (config.md §6.2): {@code bind} split into host and port, {@code basePath} {@code ""} or
 * {@code /prefix}; no {@code adminTokenFile} means the admin API is disabled.
 */
public record HttpConfig(String bindHost, int bindPort, String basePath, Optional<Path> adminTokenFile) {
}
