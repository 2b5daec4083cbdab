package org.ktestci.schema.config;

import org.ktestci.schema.known.KnownIssue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads the regression-finding keys of issue 14 (see {@link RegressionConfig}). */
final class RegressionsReader {
    private static final Pattern ORIGIN = Pattern.compile("^[a-z0-9_]+$");

    private final TomlReader r;
    private final TomlScope root;

    private final ConfigRole role;

    RegressionsReader(TomlReader r, TomlScope root, ConfigRole role) {
        this.r = r;
        this.root = root;
        this.role = role;
    }

    RegressionConfig read() {
        String origin = r.string(root, "kcidb_origin").orElse(RegressionConfig.DEFAULT_ORIGIN);
        if (!ORIGIN.matcher(origin).matches()) {
            r.error(root, "kcidb_origin", "must match ^[a-z0-9_]+$, got \"" + origin + "\"");
            origin = RegressionConfig.DEFAULT_ORIGIN;
        }
        int retries = r.intIn(root, "flake_retries", 0, RegressionConfig.MAX_FLAKE_RETRIES,
                RegressionConfig.DEFAULT_FLAKE_RETRIES);
        int window = r.intIn(root, "flake_window", 1, TomlReader.NO_MAX, RegressionConfig.DEFAULT_FLAKE_WINDOW);
        return new RegressionConfig(origin, knownIssues(), retries, window, new NotifyReader(r, root, role).read());
    }

    /** {@code [known_issue.<id>]}: each key and each problem reported where it is written. */
    private Map<String, KnownIssue> knownIssues() {
        Map<String, KnownIssue> out = new LinkedHashMap<>();
        Optional<TomlScope> section = r.table(root, "known_issue");
        if (section.isEmpty()) {
            return out;
        }
        TomlScope issues = section.get();
        for (String id : issues.table().keySet()) {
            Optional<TomlScope> so = r.table(issues, id);
            if (so.isEmpty()) {
                continue;
            }
            TomlScope s = so.get();
            r.unknownKeys(s, List.of("test", "log", "url", "fixed_by"), Map.of());
            if (!r.has(s, "test")) {
                r.missing(s, "test");
            }
            if (!r.has(s, "url")) {
                r.missing(s, "url");
            }
            Optional<String> test = r.string(s, "test");
            Optional<String> log = r.string(s, "log");
            Optional<String> url = r.string(s, "url");
            Optional<String> fixedBy = r.string(s, "fixed_by");
            List<KnownIssue.Problem> problems = KnownIssue.problems(id, test.orElse("."), log, url.orElse("http://x"),
                    fixedBy);
            for (KnownIssue.Problem p : problems) {
                if (p.field().equals("id")) {
                    r.error(issues, id, "known issue id " + p.message());
                } else {
                    r.error(s, p.field(), p.message());
                }
            }
            if (problems.isEmpty() && test.isPresent() && url.isPresent()) {
                out.put(id, new KnownIssue(id, test.get(), log, url.get(), fixedBy, KnownIssue.CONFIG));
            }
        }
        return out;
    }
}
