package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/**
 * {@code ci-status workers}: always a server query ({@code --remote} or {@code ci_url}, cli.md §2). The server
 * does not serve {@code /api/v1/workers} yet, so with a URL it says so instead of pretending.
 */
@Command(name = "workers", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Worker hosts and busy slots (needs --remote or ci_url).")
final class WorkersCommand implements Callable<Integer> {
    @ParentCommand
    CiStatusMain parent;

    @Mixin
    GlobalOptions options = new GlobalOptions();

    @Override
    public Integer call() throws ConfigException {
        Session session = parent.session(options);
        if (session.remoteUrl().isEmpty()) {
            throw new CliError("workers needs --remote or ci_url");
        }
        throw new CliError("workers: the coordinator does not serve /api/v1/workers yet");
    }
}
