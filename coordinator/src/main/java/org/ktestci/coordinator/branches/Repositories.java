package org.ktestci.coordinator.branches;

import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The coordinator's open local repositories, one {@link Repository} per path, shared by all readers. */
public final class Repositories implements AutoCloseable {
    private final Map<Path, Repository> open = new ConcurrentHashMap<>();

    public Repository get(Path path) throws IOException {
        Path key = path.toAbsolutePath().normalize();
        Repository r = open.get(key);
        if (r != null) {
            return r;
        }
        synchronized (this) {
            r = open.get(key);
            if (r == null) {
                r = new FileRepositoryBuilder().setGitDir(gitDir(key).toFile()).setMustExist(true).build();
                open.put(key, r);
            }
            return r;
        }
    }

    private static Path gitDir(Path path) {
        Path dotGit = path.resolve(".git");
        return Files.isDirectory(dotGit) ? dotGit : path;
    }

    @Override
    public void close() {
        open.values().forEach(Repository::close);
        open.clear();
    }
}
