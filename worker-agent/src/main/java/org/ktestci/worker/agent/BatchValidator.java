package org.ktestci.worker.agent;

import org.ktestci.protocol.RunBatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The worker's own check of every {@code RunBatch} before acting (README decision 15): the test resolves inside
 * its ktest tree, names and env values are of the safe character sets, sources use allowed schemes. Everything
 * reaches the runner as separate argv elements, never through a shell.
 */
public final class BatchValidator implements Predicate<RunBatch> {
    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");
    private static final Pattern SUBTEST = Pattern.compile("^[A-Za-z0-9._/+:,-]+$");
    private static final Pattern TEST = Pattern.compile("^[A-Za-z0-9._/+:-]+\\.ktest$");
    private static final Pattern ENV_KEY = Pattern.compile("^ktest_[A-Za-z0-9_]+$");
    private static final Pattern ENV_VALUE = Pattern.compile("^[A-Za-z0-9._+:-]*$");
    private static final Pattern URL_SCHEME = Pattern.compile("^(https|git|ssh|file)://.+");

    private final Path testsDir;

    public BatchValidator(Path ktestDir) {
        this.testsDir = ktestDir.resolve("tests").toAbsolutePath().normalize();
    }

    @Override
    public boolean test(RunBatch b) {
        return problem(b) == null;
    }

    /** Why the batch is refused, or null when it is acceptable. */
    public String problem(RunBatch b) {
        if (!SHA.matcher(b.commit()).matches()) {
            return "commit is not a full sha";
        }
        if (!TEST.matcher(b.test()).matches() || b.test().startsWith("/") || b.test().contains("..")) {
            return "bad test path " + b.test();
        }
        Path file = testsDir.resolve(b.test()).normalize();
        if (!file.startsWith(testsDir) || !Files.isRegularFile(file)) {
            return "test " + b.test() + " not found in " + testsDir;
        }
        if (b.subtests().isEmpty()) {
            return "no subtests";
        }
        for (RunBatch.BatchSubtest s : b.subtests()) {
            if (!SUBTEST.matcher(s.name()).matches()) {
                return "bad subtest name " + s.name();
            }
        }
        for (var e : b.env().entrySet()) {
            if (!ENV_KEY.matcher(e.getKey()).matches() || !ENV_VALUE.matcher(e.getValue()).matches()) {
                return "bad env pair " + e.getKey();
            }
        }
        for (RunBatch.Source s : b.sources()) {
            if (s.url().startsWith("-") || s.ref().startsWith("-")
                    || !(URL_SCHEME.matcher(s.url()).matches() || s.url().startsWith("/"))) {
                return "source not allowed: " + s.url();
            }
        }
        return null;
    }
}
