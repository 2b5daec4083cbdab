package org.ktestci.coordinator.scheduling;

import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the local repository at a path for a refill's git walk; the coordinator's shared {@code Repositories}
 * implements it (the scheduler needs no more of the branches package than this).
 */
@FunctionalInterface
public interface RepositoryOpener {
    Repository get(Path path) throws IOException;
}
