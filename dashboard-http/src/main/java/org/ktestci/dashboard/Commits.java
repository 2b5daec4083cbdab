package org.ktestci.dashboard;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Commit lookups shared by the views: sha prefixes against {@code output_dir}, blobs read on demand. */
final class Commits {
    private static final Pattern HEX = Pattern.compile("^[0-9a-fA-F]+$");

    private final OutputDir out;

    Commits(OutputDir out) {
        this.out = out;
    }

    /** A full sha, or a unique prefix of at least 7 hex characters (http.md §1). */
    String resolve(String shaOrPrefix) {
        String p = shaOrPrefix.toLowerCase(java.util.Locale.ROOT);
        if (OutputDir.isSha(p)) {
            return p;
        }
        if (p.length() < 7 || p.length() > 40 || !HEX.matcher(p).matches()) {
            throw HttpError.notFound("Commit " + shaOrPrefix + " not found");
        }
        TreeSet<String> matches;
        try {
            matches = out.matchPrefix(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (matches.isEmpty()) {
            throw HttpError.notFound("Commit " + shaOrPrefix + " not found");
        }
        if (matches.size() > 1) {
            throw HttpError.badRequest("ambiguous commit prefix " + shaOrPrefix + " (" + matches.size() + " matches)");
        }
        return matches.first();
    }

    Optional<CommitResults> results(String sha) {
        try {
            return out.readResults(sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
