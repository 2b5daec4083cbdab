package org.ktestci.launcher;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.RefSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.TimeZone;

/**
 * Writes the embedded demo (config.md §7): a bare {@code upstream} repo with 3 kernel-like commits on
 * {@code main}, a working clone {@code src} used to push more, an empty {@code repo} for {@code linux_repo},
 * a {@code ktest} tree with {@code tests/demo/smoke.ktest}, and {@code ktest-ci.toml}.
 */
public final class DemoInit {
    public static final String CONFIG_FILE = "ktest-ci.toml";
    private static final PersonIdent AUTHOR = new PersonIdent("Demo Developer", "dev@example.org");

    private final Path dir;
    private int commitCounter;

    public DemoInit(Path dir) {
        this.dir = dir;
    }

    public Path config() {
        return dir.resolve(CONFIG_FILE);
    }

    public Path write() throws IOException {
        try {
            Files.createDirectories(dir);
            Path upstream = dir.resolve("upstream");
            Git.init().setBare(true).setInitialBranch("main").setGitDir(upstream.toFile()).call().close();
            Git.init().setInitialBranch("main").setDirectory(dir.resolve("repo").toFile()).call().close();
            try (Git src = Git.init().setInitialBranch("main").setDirectory(dir.resolve("src").toFile()).call()) {
                commit(src, "fs/bcachefs/super.c", "int bch2_fs_start(void) { return 0; }\n",
                        "bcachefs: initial superblock code");
                commit(src, "fs/bcachefs/btree.c", "int bch2_btree_init(void) { return 0; }\n",
                        "bcachefs: add btree node cache");
                commit(src, "fs/bcachefs/journal.c", "int bch2_journal_start(void) { return 0; }\n",
                        "bcachefs: journal replay fixes");
                push(src);
            }
            Path tests = dir.resolve("ktest/tests/demo");
            Files.createDirectories(tests);
            Path smoke = tests.resolve("smoke.ktest");
            Files.write(smoke, resource("smoke.ktest"));
            Files.setPosixFilePermissions(smoke, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.write(config(), resource(CONFIG_FILE));
            return config();
        } catch (GitAPIException e) {
            throw new IOException("demo repository setup failed: " + e.getMessage(), e);
        }
    }

    /** Commits one more change in {@code src} and pushes it to {@code upstream}; returns the new sha. */
    public String pushOneMore(String subject) throws IOException {
        try (Git src = Git.open(dir.resolve("src").toFile())) {
            String sha = commit(src, "fs/bcachefs/alloc.c",
                    "int bch2_alloc_" + (commitCounter + 1) + "(void) { return 0; }\n", subject);
            push(src);
            return sha;
        } catch (GitAPIException e) {
            throw new IOException("demo push failed: " + e.getMessage(), e);
        }
    }

    private String commit(Git git, String file, String content, String subject) throws IOException, GitAPIException {
        Path p = git.getRepository().getWorkTree().toPath().resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        git.add().addFilepattern(file).call();
        // Distinct, increasing commit times keep the demo's history order obvious in every view.
        commitCounter++;
        Date when = Date.from(Instant.now().plusSeconds(commitCounter));
        PersonIdent ident = new PersonIdent(AUTHOR, when, TimeZone.getTimeZone(ZoneOffset.UTC));
        return git.commit().setMessage(subject + "\n\nDemo commit made by ktest-ci demo-init.\n")
                .setAuthor(ident).setCommitter(ident).setSign(false).call().getName();
    }

    private void push(Git git) throws GitAPIException {
        git.push().setRemote(dir.resolve("upstream").toUri().toString())
                .setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DemoInit.class.getResourceAsStream("/demo/" + name)) {
            if (in == null) {
                throw new IOException("demo resource missing from the build: " + name);
            }
            return in.readAllBytes();
        }
    }
}
