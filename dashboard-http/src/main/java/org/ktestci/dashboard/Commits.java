package org.ktestci.dashboard;

import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.PrefixMatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Commit lookups shared by the views: sha prefixes against {@code output_dir}, blobs read on demand. */
final class Commits {
    private final OutputDir out;

    Commits(OutputDir out) {
        this.out = out;
    }

    /** A full sha, or a unique prefix of at least 7 hex characters (http.md §1). */
    String resolve(String shaOrPrefix) {
        PrefixMatch m;
        try {
            m = out.resolve(shaOrPrefix, 7);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (m instanceof PrefixMatch.Found f) {
            return f.sha();
        }
        if (m instanceof PrefixMatch.Ambiguous a) {
            throw HttpError.badRequest("ambiguous commit prefix " + shaOrPrefix + " (" + a.matches() + " matches)");
        }
        throw HttpError.notFound("Commit " + shaOrPrefix + " not found");
    }

    Optional<CommitResults> results(String sha) {
        try {
            return out.readResults(sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
