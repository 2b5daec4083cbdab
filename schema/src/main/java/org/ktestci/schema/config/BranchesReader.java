package org.ktestci.schema.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code [repos.*]}, {@code [branch.*]} and {@code [hosts.*]} (config.md §3, §5, §6.1). */
final class BranchesReader {
    private static final Pattern BRANCH = Pattern.compile("^[A-Za-z0-9._/-]+$");
    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.-]+$");
    private static final Pattern URL = Pattern.compile("^(https|git|ssh|file)://.+");

    private final TomlReader r;
    private final boolean checkFilesystem;

    BranchesReader(TomlReader r, boolean checkFilesystem) {
        this.r = r;
        this.checkFilesystem = checkFilesystem;
    }

    Map<String, RepoConfig> repos(Optional<TomlScope> section, Optional<Path> linuxRepo) {
        Map<String, RepoConfig> out = new LinkedHashMap<>();
        if (section.isPresent()) {
            TomlScope repos = section.get();
            for (String name : repos.table().keySet()) {
                Optional<TomlScope> s = r.table(repos, name);
                if (s.isEmpty()) {
                    continue;
                }
                if (!GroupsReader.NAME.matcher(name).matches()) {
                    r.error(repos, name, "repo name must match ^[A-Za-z0-9._-]+$");
                }
                r.unknownKeys(s.get(), List.of("path", "url"), Map.of());
                Optional<Path> path = r.path(s.get(), "path");
                Optional<String> url = r.string(s.get(), "url");
                if (!r.has(s.get(), "path")) {
                    r.missing(s.get(), "path");
                }
                if (!r.has(s.get(), "url")) {
                    r.missing(s.get(), "url");
                }
                if (path.isPresent() && checkFilesystem && !GitRepos.isRepository(path.get())) {
                    r.error(s.get(), "path", "not a git repository: " + path.get());
                }
                if (path.isPresent()) {
                    out.put(name, new RepoConfig(name, path.get(), url.orElse("")));
                }
            }
        }
        if (!out.containsKey("linux") && linuxRepo.isPresent()) {
            Map<String, RepoConfig> withLinux = new LinkedHashMap<>();
            withLinux.put("linux", new RepoConfig("linux", linuxRepo.get(), ""));
            withLinux.putAll(out);
            return Collections.unmodifiableMap(withLinux);
        }
        return Collections.unmodifiableMap(out);
    }

    Map<String, BranchConfig> branches(Optional<TomlScope> section, Set<String> repoNames,
                                       Map<String, TestGroupConfig> groups, Set<String> groupNamesAsWritten) {
        Map<String, BranchConfig> out = new LinkedHashMap<>();
        if (section.isEmpty()) {
            return out;
        }
        TomlScope branches = section.get();
        Set<String> emptyReported = new HashSet<>();
        for (String name : branches.table().keySet()) {
            Optional<TomlScope> so = r.table(branches, name);
            if (so.isEmpty()) {
                continue;
            }
            TomlScope s = so.get();
            String nameProblem = branchNameProblem(name);
            if (nameProblem != null) {
                r.error(branches, name, nameProblem);
            }
            r.unknownKeys(s, List.of("fetch", "repo", "test_groups"), Map.of());
            String url = null;
            String ref = null;
            Optional<String> fetch = r.string(s, "fetch");
            if (!r.has(s, "fetch")) {
                r.missing(s, "fetch");
            } else if (fetch.isPresent()) {
                String[] tokens = fetch.get().trim().split("\\s+");
                if (tokens.length != 2 || tokens[0].isEmpty()) {
                    r.error(s, "fetch", "must be exactly \"<remote-url> <ref>\", got \"" + fetch.get() + "\"");
                } else if (tokens[0].startsWith("-") || tokens[1].startsWith("-")) {
                    r.error(s, "fetch", "URL and ref must not start with \"-\"");
                } else if (tokens[0].contains("://") && !URL.matcher(tokens[0]).matches()) {
                    r.error(s, "fetch", "URL scheme must be https, git, ssh or file, got \"" + tokens[0] + "\"");
                } else {
                    url = tokens[0].contains("://") ? tokens[0] : r.resolve(tokens[0]).toString();
                    ref = tokens[1];
                }
            }
            String repo = r.string(s, "repo").orElse("linux");
            if (!repoNames.contains(repo)) {
                r.error(s, "repo", "unknown repo \"" + repo + "\"" + DidYouMean.hint(repo, repoNames));
            }
            List<String> groupNames = new ArrayList<>();
            Optional<List<TomlReader.Element>> tg = r.stringArray(s, "test_groups");
            if (!r.has(s, "test_groups")) {
                r.missing(s, "test_groups");
            } else if (tg.isPresent() && tg.get().isEmpty()) {
                r.error(s, "test_groups", "must name at least one test_group");
            }
            for (TomlReader.Element e : tg.orElse(List.of())) {
                String path = s.keyPath("test_groups") + "[" + e.index() + "]";
                if (groupNames.contains(e.value())) {
                    r.errorAt(e.line(), e.column(), path, "duplicate test_group \"" + e.value() + "\"");
                } else if (!groupNamesAsWritten.contains(e.value())) {
                    r.errorAt(e.line(), e.column(), path, "unknown test_group \"" + e.value() + "\""
                            + DidYouMean.hint(e.value(), groupNamesAsWritten));
                } else {
                    groupNames.add(e.value());
                    TestGroupConfig g = groups.get(e.value());
                    if (g != null && g.tests().isEmpty() && emptyReported.add(e.value())) {
                        r.errorAt(e.line(), e.column(), path, "test_group \"" + e.value() + "\" has no tests");
                    }
                }
            }
            if (url != null) {
                out.put(name, new BranchConfig(name, url, ref, repo, List.copyOf(groupNames)));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    static String branchNameProblem(String name) {
        if (!BRANCH.matcher(name).matches()) {
            return "branch name must match ^[A-Za-z0-9._/-]+$";
        }
        if (name.contains("..") || name.startsWith("-") || name.startsWith("/") || name.endsWith("/")
                || name.endsWith(".lock")) {
            return "branch name must be a valid git ref name (no \"..\", no leading \"-\" or \"/\", "
                    + "no trailing \"/\" or \".lock\")";
        }
        return null;
    }

    Map<String, HostConfig> hosts(Optional<TomlScope> section) {
        Map<String, HostConfig> out = new LinkedHashMap<>();
        if (section.isEmpty()) {
            return out;
        }
        TomlScope hosts = section.get();
        for (String name : hosts.table().keySet()) {
            Optional<TomlScope> s = r.table(hosts, name);
            if (s.isEmpty()) {
                continue;
            }
            if (!HOST.matcher(name).matches()) {
                r.error(hosts, name, "host name must match ^[A-Za-z0-9.-]+$");
            }
            r.unknownKeys(s.get(), List.of("slots", "arch"), Map.of());
            Optional<Integer> slots = r.has(s.get(), "slots")
                    ? Optional.of(r.intIn(s.get(), "slots", 1, 256, 1)) : Optional.empty();
            Optional<Arch> arch = ConfigLoader.arch(r, s.get(), "arch");
            out.put(name, new HostConfig(name, slots, arch));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Whether {@code dir} is a git repository (a work tree with {@code .git}, or a bare repository). */
    static final class GitRepos {
        private GitRepos() {
        }

        static boolean isRepository(Path dir) {
            if (Files.isDirectory(dir.resolve(".git"))) {
                return true;
            }
            return Files.isRegularFile(dir.resolve("HEAD")) && Files.isDirectory(dir.resolve("objects"))
                    && Files.isDirectory(dir.resolve("refs"));
        }
    }
}
