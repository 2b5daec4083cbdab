package org.ktestci.coordinator;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

/** Real git repositories for tests, with strictly increasing commit times so history order is unambiguous. */
public final class TestRepos {
    private TestRepos() {
    }

    /** Creates {@code n} commits in a new non-bare repo at {@code dir}; returns their shas, oldest first. */
    public static List<String> commits(Path dir, int n, String prefix) throws Exception {
        List<String> shas = new ArrayList<>();
        try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.toFile()).call()) {
            for (int i = 0; i < n; i++) {
                shas.add(commit(git, prefix + " change " + (i + 1), 1_700_000_000L + i * 60L));
            }
        }
        return shas;
    }

    public static String commit(Git git, String subject, long epochSeconds) throws Exception {
        Path f = git.getRepository().getWorkTree().toPath().resolve("file.c");
        Files.writeString(f, subject + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        git.add().addFilepattern("file.c").call();
        PersonIdent id = new PersonIdent(new PersonIdent("Dev", "dev@example.org"),
                Date.from(Instant.ofEpochSecond(epochSeconds)), TimeZone.getTimeZone("UTC"));
        return git.commit().setMessage(subject + "\n\nbody\n").setAuthor(id).setCommitter(id).setSign(false).call()
                .getName();
    }

    /**
     * A commit with exactly these parents and author/committer time, written straight into the object database
     * (any repository, bare or not; no work tree, empty tree): for shaping merges and clock skew precisely.
     */
    public static String commit(Repository repo, String subject, long epochSeconds, String... parents)
            throws Exception {
        try (ObjectInserter ins = repo.newObjectInserter()) {
            CommitBuilder c = new CommitBuilder();
            c.setTreeId(ins.insert(new TreeFormatter()));
            c.setParentIds(Arrays.stream(parents).map(ObjectId::fromString).toList());
            PersonIdent id = new PersonIdent("Dev", "dev@example.org", Instant.ofEpochSecond(epochSeconds),
                    ZoneOffset.UTC);
            c.setAuthor(id);
            c.setCommitter(id);
            c.setMessage(subject + "\n");
            ObjectId sha = ins.insert(c);
            ins.flush();
            return sha.getName();
        }
    }

    public static void setRef(Repository repo, String ref, String sha) throws Exception {
        RefUpdate u = repo.updateRef(ref);
        u.setNewObjectId(repo.resolve(sha));
        u.setForceUpdate(true);
        u.update();
    }
}
