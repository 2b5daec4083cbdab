package org.ktestci.schema.results;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** ktest's {@code output_dir} layout (storage.md §1) and the read-side lookups over it. */
public final class OutputDir {
    public static final String STATUS = "status";
    public static final String DURATION = "duration";
    public static final String LOG = "log.br";
    public static final String FULL_LOG = "full_log.br";
    public static final String DURATIONS_BLOB = "test_durations.capnp";

    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");
    private static final Pattern HEX = Pattern.compile("^[0-9a-f]+$");

    private final Path root;

    public OutputDir(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Where re-run {@code n} (n ≥ 1) of a key keeps its artifact {@code name} ({@link #LOG}, {@link #FULL_LOG}),
     * beside the verdict's own; {@code n = 0} is the verdict's artifact itself.
     */
    public static String rerunArtifact(int n, String name) {
        return n == 0 ? name : "rerun-" + n + "." + name;
    }

    public static boolean isSha(String s) {
        return s != null && SHA.matcher(s).matches();
    }

    public Path blob(String sha) {
        return root.resolve(sha + ".capnp");
    }

    public Path commitDir(String sha) {
        return root.resolve(sha);
    }

    public Path keyDir(String sha, String key) {
        return commitDir(sha).resolve(key);
    }

    /** Whether the commit has a results blob or directory. */
    public boolean hasResults(String sha) {
        return Files.exists(blob(sha)) || Files.isDirectory(commitDir(sha));
    }

    /** The commit's results, or empty when no blob exists. */
    public Optional<CommitResults> readResults(String sha) throws IOException {
        try {
            return Optional.of(CommitResultsCodec.read(blob(sha)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A full sha, or the one commit whose sha starts with {@code prefix} (at least {@code minLength} hex
     * characters; shorter or non-hex prefixes match nothing).
     */
    public PrefixMatch resolve(String prefix, int minLength) throws IOException {
        String p = prefix.toLowerCase(Locale.ROOT);
        if (isSha(p)) {
            return new PrefixMatch.Found(p);
        }
        if (p.length() < minLength || p.length() > 40 || !HEX.matcher(p).matches()) {
            return new PrefixMatch.None();
        }
        TreeSet<String> matches = matchPrefix(p);
        if (matches.isEmpty()) {
            return new PrefixMatch.None();
        }
        return matches.size() == 1 ? new PrefixMatch.Found(matches.first()) : new PrefixMatch.Ambiguous(matches.size());
    }

    /**
     * Full shas starting with {@code prefix} (lowercase hex), matched against {@code <sha>.capnp} files and
     * {@code <sha>/} directories, sorted.
     */
    public TreeSet<String> matchPrefix(String prefix) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        String p = prefix.toLowerCase(Locale.ROOT);
        if (!HEX.matcher(p).matches() || !Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, p + "*")) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                String sha = name.endsWith(".capnp") ? name.substring(0, name.length() - ".capnp".length()) : name;
                if (isSha(sha) && (name.endsWith(".capnp") || Files.isDirectory(e))) {
                    out.add(sha);
                }
            }
        }
        return out;
    }
}
