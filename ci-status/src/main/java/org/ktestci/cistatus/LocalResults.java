package org.ktestci.cistatus;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.git.CommitLog;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.results.PrefixMatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Local mode: results from {@code output_dir}, history from the configured git repositories. */
final class LocalResults {
    private final CiConfig config;
    private final OutputDir out;

    LocalResults(CiConfig config) {
        this.config = config;
        this.out = new OutputDir(config.outputDir());
    }

    List<BranchConfig> branches() {
        return List.copyOf(config.branches().values());
    }

    /** Commits from the branch tip in walk order, up to {@code n}. */
    List<CommitInfo> walk(String branch, int n) {
        BranchConfig b = config.branches().get(branch);
        Path repoPath = b != null ? config.repos().get(b.repo()).path() : config.linuxRepo();
        try (Repository repo = open(repoPath)) {
            ObjectId tip = b != null ? CommitLog.branchTip(repo, config.user(), branch).orElse(null) : resolveRef(repo, branch);
            if (tip == null) {
                throw new CliError("can't resolve '" + branch + "' — try a full ref like 'remote/branch'");
            }
            return CommitLog.walk(repo, tip, n);
        } catch (IOException e) {
            throw new CliError("cannot read git history of " + branch + ": " + e.getMessage());
        }
    }

    private static ObjectId resolveRef(Repository repo, String name) throws IOException {
        for (String candidate : List.of("refs/heads/" + name, "refs/remotes/" + name, name)) {
            Ref r = repo.exactRef(candidate);
            if (r != null && r.getObjectId() != null) {
                return r.getObjectId();
            }
        }
        try {
            return repo.resolve(name);
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException e) {
            return null;
        }
    }

    private static Repository open(Path path) throws IOException {
        Path git = Files.isDirectory(path.resolve(".git")) ? path.resolve(".git") : path;
        return new FileRepositoryBuilder().setGitDir(git.toFile()).setMustExist(true).build();
    }

    String resolveCommit(String prefix) {
        PrefixMatch m;
        try {
            m = out.resolve(prefix, 4);
        } catch (IOException e) {
            throw new CliError("cannot read " + out.root() + ": " + e.getMessage());
        }
        if (m instanceof PrefixMatch.Found f) {
            return f.sha();
        }
        if (m instanceof PrefixMatch.Ambiguous a) {
            throw new CliError("ambiguous commit prefix " + prefix + " (" + a.matches() + " matches)");
        }
        throw new CliError("no test results for commit " + prefix);
    }

    Optional<CommitResults> results(String sha) {
        try {
            return out.readResults(sha);
        } catch (IOException e) {
            throw new CliError(e.getMessage());
        }
    }

    Optional<byte[]> logBytes(String sha, String key, boolean full) {
        Path f = out.keyDir(sha, key).resolve(full ? OutputDir.FULL_LOG : OutputDir.LOG);
        try {
            return Files.exists(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
        } catch (IOException e) {
            throw new CliError("cannot read " + f + ": " + e.getMessage());
        }
    }
}
