package org.ktestci.dashboard;

import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.PrefixMatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/** Commit lookups shared by the views: sha prefixes against {@code output_dir}, blobs read on demand. */
final class Commits {
    private final OutputDir out;
    private final ResultsCache cache;

    Commits(OutputDir out) {
        this(out, ResultsCache.DEFAULT_MAX_ENTRIES);
    }

    Commits(OutputDir out, long cachedEntries) {
        this.out = out;
        this.cache = new ResultsCache(out, cachedEntries);
    }

    /** A full sha or a unique prefix of at least 7 hex characters with a blob or directory (http.md §1). */
    String resolve(String shaOrPrefix) {
        PrefixMatch m;
        try {
            m = out.resolve(shaOrPrefix, 7);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (m instanceof PrefixMatch.Found f && out.hasResults(f.sha())) {
            return f.sha();
        }
        if (m instanceof PrefixMatch.Ambiguous a) {
            throw HttpError.badRequest("ambiguous commit prefix " + shaOrPrefix + " (" + a.matches() + " matches)");
        }
        throw HttpError.notFound("Commit " + shaOrPrefix + " not found");
    }

    /** Whether {@code <sha>.capnp} exists: the branch views count a commit without it as untested. */
    boolean hasBlob(String sha) {
        return Files.exists(out.blob(sha));
    }

    /** How many commits of a branch walk have no {@code <sha>.capnp} (home "Untested commits", §5.1). */
    long untested(List<CommitInfo> log) {
        return log.stream().filter(c -> !hasBlob(c.sha())).count();
    }

    Optional<CommitResults> results(String sha) {
        return cache.get(sha).map(ResultsCache.Compact::toResults);
    }

    /** The blob in its cached compact form: lookups by key without decoding or copying. */
    Optional<ResultsCache.Compact> compact(String sha) {
        return cache.get(sha);
    }
}
