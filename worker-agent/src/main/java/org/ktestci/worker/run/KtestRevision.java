package org.ktestci.worker.run;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/** Which ktest a worker runs: told in its hello and written into each run's {@code run.json}. */
public final class KtestRevision {
    private KtestRevision() {
    }

    /** HEAD of the worker's ktest checkout, or its path when it is not a git tree (a Nix store path). */
    public static String of(Path ktestDir) {
        File gitDir = ktestDir.resolve(".git").toFile();
        if (gitDir.isDirectory()) {
            try (Repository r = new FileRepositoryBuilder().setGitDir(gitDir).build()) {
                ObjectId head = r.resolve("HEAD");
                if (head != null) {
                    return head.getName();
                }
            } catch (IOException ignored) {
                // fall through to the path
            }
        }
        return ktestDir.toString();
    }
}
