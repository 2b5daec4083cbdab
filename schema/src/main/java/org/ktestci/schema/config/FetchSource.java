package org.ktestci.schema.config;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A branch's {@code fetch = "<remote-url> <ref>"} (config.md §5). The value reaches JGit, never a shell, and is
 * still kept to two plain tokens so nothing in the file can act as an option.
 */
record FetchSource(String url, String ref) {
    private static final Pattern ALLOWED_URL = Pattern.compile("^(https|git|ssh|file)://.+");
    /** {@code host:path} or {@code user@host:path}: git's scp-like ssh form, which is not a path here. */
    private static final Pattern SCP_LIKE = Pattern.compile("^[^/]*:.*");

    /** The problem with {@code value}, or empty when {@link #parse} accepts it. */
    static Optional<String> problem(String value) {
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            return Optional.of("must not contain control characters");
        }
        String[] tokens = value.trim().split("\\s+");
        if (tokens.length != 2 || tokens[0].isEmpty()) {
            return Optional.of("must be exactly \"<remote-url> <ref>\", got \"" + value + "\"");
        }
        String url = tokens[0];
        String ref = tokens[1];
        if (url.startsWith("-") || ref.startsWith("-")) {
            return Optional.of("URL and ref must not start with \"-\"");
        }
        if (url.contains("://") ? !ALLOWED_URL.matcher(url).matches() : SCP_LIKE.matcher(url).matches()) {
            return Optional.of("URL must be https://, git://, ssh://, file:// or a path, got \"" + url + "\"");
        }
        if (!GitRepos.isValidRef(ref.startsWith("refs/") ? ref : "refs/heads/" + ref)) {
            return Optional.of("ref must be a branch name or a full refs/ name, got \"" + ref + "\"");
        }
        return Optional.empty();
    }

    /** Splits an accepted value; a path URL is resolved by {@code resolvePath} (to an absolute path). */
    static FetchSource parse(String value, Function<String, String> resolvePath) {
        List<String> tokens = List.of(value.trim().split("\\s+"));
        String url = tokens.get(0);
        return new FetchSource(url.contains("://") ? url : resolvePath.apply(url), tokens.get(1));
    }
}
