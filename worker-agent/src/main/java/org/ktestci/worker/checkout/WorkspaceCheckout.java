package org.ktestci.worker.checkout;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.ktestci.schema.git.UrlCredentials;
import org.ktestci.schema.io.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Makes a slot's checkout show exactly one commit (ktest-interface.md §5.2 step 2): a bare mirror per repo
 * shared by all slots (guarded by a file lock), fetched from the batch's sources, then a per-slot working tree
 * borrowing the mirror's objects through {@code objects/info/alternates}, force-checked-out detached.
 */
public final class WorkspaceCheckout {
    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceCheckout.class);
    private static final long[] RETRY_SLEEPS_MS = {1_000, 4_000, 9_000, 16_000};
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path workspace;
    private final long[] retrySleeps;

    public WorkspaceCheckout(Path workspace) {
        this(workspace, RETRY_SLEEPS_MS);
    }

    /** {@code retrySleeps}: pauses between the 5 tries of a network operation (tests shorten them). */
    public WorkspaceCheckout(Path workspace, long[] retrySleeps) {
        this.workspace = workspace;
        this.retrySleeps = retrySleeps.clone();
    }

    public Path mirror(String repo) {
        return workspace.resolve("mirrors").resolve(repo + ".git");
    }

    /** Checks out {@code sha} into {@code slotRepoDir}; {@code agentLog} receives one line per step. */
    public void checkout(String repo, String sha, List<GitSource> sources, String fallbackUrl, Path slotRepoDir,
                         Consumer<String> agentLog) throws CheckoutException {
        ObjectId id;
        try {
            id = ObjectId.fromString(sha);
        } catch (IllegalArgumentException e) {
            throw new CheckoutException("not a commit id: " + sha, e);
        }
        try {
            ensureInMirror(repo, id, sources, fallbackUrl, agentLog);
            checkoutSlot(mirror(repo), id, slotRepoDir, agentLog);
        } catch (IOException e) {
            throw new CheckoutException("checkout of " + sha + " failed: " + e.getMessage(), e);
        }
    }

    private void ensureInMirror(String repo, ObjectId id, List<GitSource> sources, String fallbackUrl,
                                Consumer<String> agentLog) throws IOException, CheckoutException {
        Path mirror = mirror(repo);
        Files.createDirectories(mirror.getParent());
        Path lockFile = mirror.getParent().resolve(repo + ".lock");
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath(), p -> new ReentrantLock());
        jvmLock.lock();
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            try (Repository r = openOrCreateBare(mirror)) {
                if (r.getObjectDatabase().has(id)) {
                    return;
                }
                int i = 0;
                for (GitSource s : sources) {
                    String remoteRef = s.ref().startsWith("refs/") ? s.ref() : "refs/heads/" + s.ref();
                    fetch(r, s.url(), "+" + remoteRef + ":refs/ktest-ci/src/" + i++, agentLog);
                    if (r.getObjectDatabase().has(id)) {
                        return;
                    }
                }
                if (fallbackUrl != null && !fallbackUrl.isEmpty()) {
                    fetch(r, fallbackUrl, "+refs/heads/*:refs/ktest-ci/fallback/*", agentLog);
                    if (r.getObjectDatabase().has(id)) {
                        return;
                    }
                }
                for (GitSource s : sources) {
                    fetch(r, s.url(), id.getName() + ":refs/ktest-ci/want/" + id.getName(), agentLog);
                    if (r.getObjectDatabase().has(id)) {
                        return;
                    }
                }
                throw new CheckoutException("commit " + id.getName() + " not found in any source");
            }
        } finally {
            jvmLock.unlock();
        }
    }

    private void fetch(Repository r, String url, String refSpec, Consumer<String> agentLog) {
        for (int attempt = 0; ; attempt++) {
            try (Git git = Git.wrap(r)) {
                // The agent log becomes part of the run's public full log: a URL's user-info never goes there.
                agentLog.accept("fetch " + UrlCredentials.mask(url) + " " + refSpec);
                git.fetch().setRemote(url).setRefSpecs(new RefSpec(refSpec)).call();
                return;
            } catch (Exception e) {
                String why = UrlCredentials.scrub(String.valueOf(e.getMessage()), url);
                agentLog.accept("fetch failed (try " + (attempt + 1) + "): " + why);
                LOG.warn("fetch failed: url={} refspec={} try={}: {}", UrlCredentials.mask(url), refSpec, attempt + 1,
                        why);
                if (attempt >= retrySleeps.length) {
                    return; // the next source may still have it
                }
                try {
                    Thread.sleep(retrySleeps[attempt]);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void checkoutSlot(Path mirror, ObjectId id, Path dir, Consumer<String> agentLog)
            throws IOException, CheckoutException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                checkoutSlotOnce(mirror, id, dir, agentLog);
                return;
            } catch (IOException | GitAPIException | RuntimeException e) {
                // A missing or corrupt slot repo is deleted and re-created once.
                agentLog.accept("slot checkout failed, re-creating " + dir + ": " + e.getMessage());
                FileTrees.deleteRecursively(dir);
                if (attempt == 1) {
                    throw new CheckoutException("checkout in " + dir + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    private void checkoutSlotOnce(Path mirror, ObjectId id, Path dir, Consumer<String> agentLog)
            throws IOException, GitAPIException, CheckoutException {
        Path gitDir = dir.resolve(".git");
        if (!Files.isDirectory(gitDir)) {
            Files.createDirectories(dir);
            Git.init().setDirectory(dir.toFile()).call().close();
        }
        Path alternates = gitDir.resolve("objects/info/alternates");
        Files.createDirectories(alternates.getParent());
        Files.writeString(alternates, mirror.resolve("objects").toAbsolutePath() + "\n", StandardCharsets.UTF_8);
        Files.deleteIfExists(gitDir.resolve("index.lock"));
        try (Repository r = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
             Git git = Git.wrap(r)) {
            agentLog.accept("checkout " + id.getName() + " in " + dir);
            git.checkout().setName(id.getName()).setForced(true).call();
            git.reset().setMode(ResetCommand.ResetType.HARD).setRef(id.getName()).call();
            ObjectId head = r.resolve("HEAD");
            if (!id.equals(head)) {
                throw new CheckoutException("HEAD is " + (head == null ? "unset" : head.getName()) + ", expected "
                        + id.getName());
            }
        }
    }

    /** {@code git clean -fdx} of the slot checkout (the resume loop's zero-progress clean). */
    public static void clean(Path dir) throws IOException {
        try (Repository r = new FileRepositoryBuilder().setGitDir(dir.resolve(".git").toFile()).setMustExist(true).build();
             Git git = Git.wrap(r)) {
            git.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
        } catch (GitAPIException e) {
            throw new IOException("git clean in " + dir + " failed: " + e.getMessage(), e);
        }
    }

    private static Repository openOrCreateBare(Path dir) throws IOException {
        if (!Files.exists(dir.resolve("HEAD"))) {
            try {
                Git.init().setBare(true).setGitDir(dir.toFile()).call().close();
            } catch (GitAPIException e) {
                throw new IOException("cannot create mirror " + dir + ": " + e.getMessage(), e);
            }
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }
}
