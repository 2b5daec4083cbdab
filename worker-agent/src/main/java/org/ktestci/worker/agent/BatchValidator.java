package org.ktestci.worker.agent;

import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.WireCheck;
import org.ktestci.protocol.WireRules;
import org.ktestci.schema.git.UrlCredentials;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static org.ktestci.protocol.WireRules.quote;

/**
 * The worker's own check of every field of a {@code RunBatch} before anything acts on it (README decision 15,
 * security.md "Cluster protocol"). Names and env values are of the spec's character sets; the repo is a repo
 * name that stays inside the slot directory and the mirrors; result keys and the basename are single file
 * names; the test resolves inside the ktest tree; sources and the fallback use allowed schemes and cannot be
 * read as options; the arch is this worker's. A batch failing any of these is malformed ({@code bad_batch}).
 * The kernel is also checked against {@link KernelPolicy}: a kernel this worker may not boot ends the batch as
 * {@code no_kernel} instead. Everything reaches the runner as separate argv elements, never through a shell.
 */
public final class BatchValidator implements BatchCheck {
    /** Why a batch is not run: {@code bad_batch} (refused) or {@code no_kernel} (accepted, ends at once). */
    public record Refusal(String reason, String detail) {}

    public static final String BAD_BATCH = "bad_batch";
    public static final String NO_KERNEL = "no_kernel";

    private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}$");
    /** config.md §3: a repo name becomes a directory name on workers. */
    private static final Pattern REPO = Pattern.compile("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$");
    private static final Pattern SUBTEST = Pattern.compile("^[A-Za-z0-9._/+:,-]{1,255}$");
    private static final Pattern TEST = Pattern.compile("^[A-Za-z0-9._/+:-]+\\.ktest$");
    private static final Pattern ENV_KEY = Pattern.compile("^ktest_[A-Za-z0-9_]{1,64}$");
    private static final Pattern ENV_VALUE = Pattern.compile("^[A-Za-z0-9._+:-]{0,256}$");
    private static final Pattern URL_SCHEME = Pattern.compile("^(https|git|ssh|file)://\\S+$");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("^/\\S*$");
    private static final int MAX_SOURCES = 16;
    private static final int MAX_TIMEOUT_SECS = 7 * 24 * 3600;

    private final Path testsDir;
    private final Optional<String> hostArch;
    private final KernelPolicy kernels;

    /** {@code hostArch}: the arch this worker announces; a batch for another is malformed. */
    public BatchValidator(Path ktestDir, Optional<String> hostArch, KernelPolicy kernels) {
        this.testsDir = ktestDir.resolve("tests").toAbsolutePath().normalize();
        this.hostArch = hostArch;
        this.kernels = kernels;
    }

    /** A worker of any arch with the default kernel store, no {@code kernel_paths} and no {@code qemu_kernel}. */
    public BatchValidator(Path ktestDir) {
        this(ktestDir, Optional.empty(), new KernelPolicy(Path.of("/var/lib/ktest/kernels"), List.of(),
                Optional.empty()));
    }

    /** Why the batch is not run, or empty when it may run. */
    @Override
    public Optional<Refusal> check(RunBatch b) {
        Optional<String> bad = malformation(b);
        if (bad.isPresent()) {
            return Optional.of(new Refusal(BAD_BATCH, bad.get()));
        }
        return kernels.problem(b.kernel()).map(p -> new Refusal(NO_KERNEL, p));
    }

    /** The first field out of its rules, or empty. */
    public Optional<String> malformation(RunBatch b) {
        WireCheck c = new WireCheck()
                .check(WireRules.leaseId(b.leaseId()), () -> "leaseId " + quote(b.leaseId()))
                .check(WireRules.epoch(b.epoch()), () -> "epoch " + b.epoch() + " out of range")
                .check(b.slot() >= 0 && b.slot() < WireRules.MAX_SLOTS, () -> "slot " + b.slot())
                .check(b.attempt() >= 0, () -> "attempt " + b.attempt())
                .check(b.commit() != null && SHA.matcher(b.commit()).matches(), "commit is not a full sha")
                .check(repo(b.repo()), () -> "repo " + quote(b.repo()) + " is not a repo name")
                .check(test(b.test()), () -> "bad test path " + quote(b.test()))
                .check(KernelPolicy.wellFormed(b.kernel()), () -> "kernel " + quote(b.kernel())
                        + " is neither a kernel-store id nor an absolute image path")
                .check(WireRules.arch(b.arch()) && hostArch.map(a -> a.equals(b.arch())).orElse(true),
                        () -> "arch " + quote(b.arch()) + " is not this worker's " + hostArch.orElse(""))
                .check(WireRules.resultKey(b.basename()), () -> "basename " + quote(b.basename()))
                .check(b.subtestTimeoutSecs() >= 1 && b.subtestTimeoutSecs() <= MAX_TIMEOUT_SECS,
                        () -> "subtestTimeoutSecs " + b.subtestTimeoutSecs())
                .check(b.fallbackUrl() == null || b.fallbackUrl().isEmpty() || url(b.fallbackUrl()),
                        () -> "fallback url not allowed: " + quote(UrlCredentials.mask(b.fallbackUrl())));
        c.include(subtests(b.subtests())).include(env(b.env())).include(sources(b.sources()))
                .check(b.executor() != null, "no executor ref");
        if (c.ok()) {
            Path file = testsDir.resolve(b.test()).normalize();
            c.check(file.startsWith(testsDir) && Files.isRegularFile(file),
                    () -> "test " + b.test() + " not found in " + testsDir);
        }
        return c.problem();
    }

    /** A repo name stays one directory: {@code <slot>/<repo>} and {@code mirrors/<repo>.git}. */
    static boolean repo(String repo) {
        if (repo == null || !REPO.matcher(repo).matches() || repo.equals(".") || repo.equals("..")) {
            return false;
        }
        Path slot = Path.of("/slot");
        Path mirrors = Path.of("/mirrors");
        return slot.equals(slot.resolve(repo).normalize().getParent())
                && mirrors.equals(mirrors.resolve(repo + ".git").normalize().getParent());
    }

    private static boolean test(String test) {
        return test != null && TEST.matcher(test).matches() && !test.startsWith("/") && !test.contains("..")
                && test.length() <= 1024;
    }

    private static Optional<String> subtests(List<RunBatch.BatchSubtest> subtests) {
        if (subtests == null || subtests.isEmpty() || subtests.size() > WireRules.MAX_LIST) {
            return Optional.of("no subtests, or too many");
        }
        Set<String> keys = new HashSet<>();
        for (RunBatch.BatchSubtest s : subtests) {
            if (s == null || s.name() == null || !SUBTEST.matcher(s.name()).matches()) {
                return Optional.of("bad subtest name " + quote(s == null ? null : s.name()));
            }
            if (!WireRules.resultKey(s.resultKey()) || !keys.add(s.resultKey())) {
                return Optional.of("bad or repeated result key " + quote(s.resultKey()));
            }
            if (s.costSecs() < 0) {
                return Optional.of("negative cost of " + s.name());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> env(Map<String, String> env) {
        if (env == null || env.size() > 64) {
            return Optional.of("env missing or too large");
        }
        for (var e : env.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || !ENV_KEY.matcher(e.getKey()).matches()
                    || !ENV_VALUE.matcher(e.getValue()).matches()) {
                return Optional.of("bad env pair " + quote(e.getKey()));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> sources(List<RunBatch.Source> sources) {
        if (sources == null || sources.size() > MAX_SOURCES) {
            return Optional.of("sources missing or more than " + MAX_SOURCES);
        }
        for (RunBatch.Source s : sources) {
            if (s == null || !url(s.url()) || !gitRef(s.ref())) {
                return Optional.of("source not allowed: "
                        + quote(s == null ? null : UrlCredentials.mask(s.url()) + " " + s.ref()));
            }
        }
        return Optional.empty();
    }

    /** An https/git/ssh/file URL or an absolute path, one token, never read as an option. */
    static boolean url(String url) {
        return url != null && url.length() <= WireRules.MAX_LINE && !url.startsWith("-")
                && (URL_SCHEME.matcher(url).matches() || ABSOLUTE_PATH.matcher(url).matches())
                && url.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f);
    }

    /** A branch or full ref as git's check-ref-format allows, which also keeps a refspec's {@code :} out. */
    static boolean gitRef(String ref) {
        if (ref == null || ref.isEmpty() || ref.length() > 255 || ref.startsWith("-") || ref.startsWith("/")
                || ref.endsWith("/") || ref.endsWith(".") || ref.endsWith(".lock") || ref.contains("..")
                || ref.contains("@{") || ref.contains("//") || ref.equals("@")) {
            return false;
        }
        for (int i = 0; i < ref.length(); i++) {
            char ch = ref.charAt(i);
            if (ch <= 0x20 || ch == 0x7f || "~^:?*[\\".indexOf(ch) >= 0) {
                return false;
            }
        }
        for (String component : ref.split("/")) {
            if (component.startsWith(".")) {
                return false;
            }
        }
        return true;
    }
}
