package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code [repos.*]} (config.md §3); {@code linux} is {@code linux_repo} unless the file defines it. */
final class ReposReader {
    static final String LINUX = "linux";
    /** config.md §3 (amended): no leading dot, so never "." or "..". */
    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_-][A-Za-z0-9._-]*$");

    private final TomlReader r;
    private final boolean checkRepositories;

    /** @param checkRepositories whether each path must be a git repository here (only the coordinator has them) */
    ReposReader(TomlReader r, boolean checkRepositories) {
        this.r = r;
        this.checkRepositories = checkRepositories;
    }

    Map<String, RepoConfig> read(Optional<TomlScope> section, Optional<Path> linuxRepo) {
        Map<String, RepoConfig> out = new LinkedHashMap<>();
        boolean linuxDefined = section.map(s -> s.table().keySet().contains(LINUX)).orElse(false);
        if (!linuxDefined && linuxRepo.isPresent()) {
            out.put(LINUX, new RepoConfig(LINUX, linuxRepo.get(), ""));
        }
        if (section.isPresent()) {
            for (String name : section.get().table().keySet()) {
                r.table(section.get(), name).flatMap(s -> readOne(section.get(), name, s))
                        .ifPresent(repo -> out.put(name, repo));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private Optional<RepoConfig> readOne(TomlScope repos, String name, TomlScope s) {
        if (name.equals(".") || name.equals("..")) {
            // A repo name becomes a directory name on workers (mirrors/<repo>.git, the slot's checkout).
            r.error(repos, name, "repo name must not be \".\" or \"..\"");
        } else if (!NAME.matcher(name).matches()) {
            r.error(repos, name, "repo name must match ^[A-Za-z0-9_-][A-Za-z0-9._-]*$");
        }
        r.unknownKeys(s, List.of("path", "url"), Map.of());
        Optional<Path> path = r.path(s, "path");
        Optional<String> url = r.string(s, "url");
        if (!r.has(s, "path")) {
            r.missing(s, "path");
        }
        if (!r.has(s, "url")) {
            r.missing(s, "url");
        }
        if (path.isPresent() && checkRepositories && !GitRepos.isRepository(path.get())) {
            r.error(s, "path", "not a git repository: " + path.get());
        }
        return path.map(p -> new RepoConfig(name, p, url.orElse("")));
    }
}
