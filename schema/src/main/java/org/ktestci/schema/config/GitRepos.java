package org.ktestci.schema.config;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.util.FS;

import java.nio.file.Files;
import java.nio.file.Path;

/** Git facts the loader checks with JGit, the library the coordinator fetches with. */
final class GitRepos {
    private GitRepos() {
    }

    /** Whether {@code dir} is a bare repository or a work tree with a {@code .git} directory or gitfile. */
    static boolean isRepository(Path dir) {
        return RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)
                || RepositoryCache.FileKey.isGitRepository(dir.resolve(".git").toFile(), FS.DETECTED)
                || Files.isRegularFile(dir.resolve(".git"));
    }

    /** Whether {@code ref} is a valid full ref name ({@code refs/...}). */
    static boolean isValidRef(String ref) {
        return Repository.isValidRefName(ref);
    }
}
