package org.ktestci.schema.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code [branch.*]} (config.md §5) against the repos and resolved test groups. */
final class BranchesReader {
    private static final Pattern BRANCH = Pattern.compile("^[A-Za-z0-9._/-]+$");

    private final TomlReader r;
    private final Set<String> repoNames;
    private final Map<String, TestGroupConfig> groups;
    private final Set<String> groupNamesAsWritten;
    /** Groups already reported as having no tests: one message per group, not per reference. */
    private final Set<String> emptyReported = new HashSet<>();

    /**
     * @param groups              groups that resolved (those in an {@code extends} cycle or with an unknown
     *                            parent are missing: already reported)
     * @param groupNamesAsWritten every group the file defines, for "unknown test_group"
     */
    BranchesReader(TomlReader r, Set<String> repoNames, Map<String, TestGroupConfig> groups,
                   Set<String> groupNamesAsWritten) {
        this.r = r;
        this.repoNames = repoNames;
        this.groups = groups;
        this.groupNamesAsWritten = groupNamesAsWritten;
    }

    Map<String, BranchConfig> read(Optional<TomlScope> section) {
        Map<String, BranchConfig> out = new LinkedHashMap<>();
        if (section.isPresent()) {
            TomlScope branches = section.get();
            for (String name : branches.table().keySet()) {
                r.table(branches, name).flatMap(s -> readOne(branches, name, s))
                        .ifPresent(b -> out.put(name, b));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private Optional<BranchConfig> readOne(TomlScope branches, String name, TomlScope s) {
        branchNameProblem(name).ifPresent(p -> r.error(branches, name, p));
        r.unknownKeys(s, List.of("fetch", "repo", "test_groups", "bisect", "bisect_max_jobs"), Map.of());
        Optional<FetchSource> fetch = Optional.empty();
        if (!r.has(s, "fetch")) {
            r.missing(s, "fetch");
        } else {
            Optional<String> value = r.string(s, "fetch");
            Optional<String> problem = value.flatMap(FetchSource::problem);
            problem.ifPresent(p -> r.error(s, "fetch", p));
            fetch = value.filter(v -> problem.isEmpty())
                    .map(v -> FetchSource.parse(v, path -> r.resolve(path).toString()));
        }
        String repo = r.string(s, "repo").orElse(ReposReader.LINUX);
        if (!repoNames.contains(repo)) {
            r.error(s, "repo", "unknown repo \"" + repo + "\"" + DidYouMean.hint(repo, repoNames));
        }
        List<String> testGroups = testGroups(s);
        boolean bisect = r.bool(s, "bisect").orElse(true);
        int bisectMaxJobs = r.intIn(s, "bisect_max_jobs", 0, TomlReader.NO_MAX, BranchConfig.DEFAULT_BISECT_MAX_JOBS);
        return fetch.map(f -> new BranchConfig(name, f.url(), f.ref(), repo, testGroups, bisect, bisectMaxJobs));
    }

    private List<String> testGroups(TomlScope s) {
        Optional<List<TomlReader.Element>> listed = r.stringArray(s, "test_groups");
        if (!r.has(s, "test_groups")) {
            r.missing(s, "test_groups");
        } else if (listed.isPresent() && listed.get().isEmpty()) {
            r.error(s, "test_groups", "must name at least one test_group");
        }
        List<String> out = new ArrayList<>();
        for (TomlReader.Element e : listed.orElse(List.of())) {
            String path = s.keyPath("test_groups") + "[" + e.index() + "]";
            String name = e.value();
            if (out.contains(name)) {
                r.errorAt(e.line(), e.column(), path, "duplicate test_group \"" + name + "\"");
            } else if (!groupNamesAsWritten.contains(name)) {
                r.errorAt(e.line(), e.column(), path, "unknown test_group \"" + name + "\""
                        + DidYouMean.hint(name, groupNamesAsWritten));
            } else {
                out.add(name);
                TestGroupConfig g = groups.get(name);
                if (g != null && g.tests().isEmpty() && emptyReported.add(name)) {
                    r.errorAt(e.line(), e.column(), path, "test_group \"" + name + "\" has no tests");
                }
            }
        }
        return out;
    }

    /** Why {@code name} cannot be the last part of the local ref {@code refs/heads/<user>/<name>}, if it cannot. */
    static Optional<String> branchNameProblem(String name) {
        if (!BRANCH.matcher(name).matches()) {
            return Optional.of("branch name must match ^[A-Za-z0-9._/-]+$");
        }
        if (name.contains("..") || name.startsWith("-") || name.startsWith("/") || name.endsWith("/")
                || name.endsWith(".lock") || !GitRepos.isValidRef("refs/heads/ci/" + name)) {
            return Optional.of("branch name must be a valid git ref name (no \"..\", no leading \"-\" or \"/\", "
                    + "no trailing \"/\" or \".lock\")");
        }
        return Optional.empty();
    }
}
