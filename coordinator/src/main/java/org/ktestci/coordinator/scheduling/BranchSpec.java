package org.ktestci.coordinator.scheduling;

import java.nio.file.Path;
import java.util.List;

/** A tracked branch as the scheduler needs it: where its commits live and which groups it runs. */
public record BranchSpec(String name, String repoName, Path repoPath, String fallbackUrl, String fetchUrl,
                         String fetchRef, List<GroupSpec> groups) {
}
