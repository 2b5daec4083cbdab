package org.ktestci.schema.config;

import java.nio.file.Path;

/** {@code [repos.<name>]}: a coordinator-side repository and the URL workers fall back to (config.md §3). */
public record RepoConfig(String name, Path path, String url) {
}
