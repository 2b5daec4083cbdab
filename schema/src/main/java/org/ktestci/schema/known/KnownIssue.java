package org.ktestci.schema.known;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A failure already known (issue 14 item 5): {@code test}, a regex over result keys (find semantics: anchor it
 * with {@code ^…$} to name one key), an optional {@code log} regex over the subtest's log, the issue's {@code url},
 * and an optional {@code fixedBy} commit: results at commits that contain it are not masked. Defined in the
 * config ({@code [known_issue.<id>]}, source {@code config}) or through the admin API (source {@code admin}).
 */
public record KnownIssue(String id, String test, Optional<String> log, String url, Optional<String> fixedBy,
                         String source) {
    public static final Pattern ID = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
    public static final Pattern URL = Pattern.compile("^https?://\\S+$");
    public static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");
    /** Regexes are written by operators, yet bounded like the dashboard's {@code test=}. */
    public static final int MAX_REGEX = 1024;

    public static final String CONFIG = "config";
    public static final String ADMIN = "admin";

    /** One problem of an issue: the field it concerns and what is wrong. */
    public record Problem(String field, String message) {}

    /** What is wrong with the fields, for config errors and 400 replies alike; empty when valid. */
    public static List<Problem> problems(String id, String test, Optional<String> log, String url,
                                         Optional<String> fixedBy) {
        List<Problem> out = new ArrayList<>();
        if (!ID.matcher(id).matches()) {
            out.add(new Problem("id", "must match ^[A-Za-z0-9._-]{1,64}$, got \"" + id + "\""));
        }
        regexProblem(test).ifPresent(p -> out.add(new Problem("test", p)));
        log.flatMap(KnownIssue::regexProblem).ifPresent(p -> out.add(new Problem("log", p)));
        if (!URL.matcher(url).matches()) {
            out.add(new Problem("url", "must be an http:// or https:// URL, got \"" + url + "\""));
        }
        fixedBy.filter(f -> !SHA.matcher(f).matches()).ifPresent(f ->
                out.add(new Problem("fixed_by", "must be a full 40-character lowercase commit sha, got \"" + f + "\"")));
        return out;
    }

    private static Optional<String> regexProblem(String regex) {
        if (regex.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (regex.length() > MAX_REGEX) {
            return Optional.of("regex longer than " + MAX_REGEX + " characters");
        }
        try {
            Pattern.compile(regex);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of("invalid regex: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** {@code /api/v1/known-issues} element. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("test", test);
        m.put("log", log.orElse(null));
        m.put("url", url);
        m.put("fixed_by", fixedBy.orElse(null));
        m.put("source", source);
        return m;
    }

    /** The short reference results carry: {@code {id, url}}. */
    public Map<String, Object> refJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("url", url);
        return m;
    }
}
