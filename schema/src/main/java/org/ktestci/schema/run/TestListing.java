package org.ktestci.schema.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code <file> list-tests} (ktest-interface.md §1): valid only with exit 0 and at least one name; names are read
 * from standard output only, as ktest reads them (stderr carries ktest's own complaints), split on ASCII whitespace, deduplicated keeping the first, each matching the subtest alphabet (others skipped with a
 * warning naming the file). Runs with cwd = the file's directory.
 */
public final class TestListing {
    private static final Logger LOG = LoggerFactory.getLogger(TestListing.class);
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9._/+:,-]+$");
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TestListing() {
    }

    public static List<String> list(Path testFile) throws IOException {
        return list(testFile, null, TIMEOUT);
    }

    public static List<String> list(Path testFile, Map<String, String> env, Duration timeout) throws IOException {
        ProcessCapture.Result r = ProcessCapture.run(List.of(testFile.toString(), "list-tests"),
                testFile.toAbsolutePath().getParent(), env, timeout);
        if (r.timedOut()) {
            throw new IOException(testFile + " list-tests timed out after " + timeout.toSeconds() + " s");
        }
        if (r.exitCode() != 0) {
            throw new IOException(testFile + " list-tests exited with status " + r.exitCode() + ": "
                    + firstLine(r.transcript()));
        }
        List<String> names = parse(testFile.toString(), r.output());
        if (names.isEmpty()) {
            throw new IOException(testFile + " list-tests printed no subtests");
        }
        return names;
    }

    static List<String> parse(String file, String output) {
        Set<String> names = new LinkedHashSet<>();
        for (String token : output.split("[ \\t\\n\\r\\f\\x0B]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (NAME.matcher(token).matches()) {
                names.add(token);
            } else {
                LOG.warn("{}: skipping subtest name with characters outside [A-Za-z0-9._/+:,-]: {}", file, token);
            }
        }
        return new ArrayList<>(names);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl >= 0 ? t.substring(0, nl) : t;
    }
}
