package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * What every {@code ci-status} subcommand has: the top command it runs under, its own spec (usage errors name
 * the subcommand and show its usage) and the global options given after it (cli.md §1).
 */
abstract class Subcommand implements Callable<Integer> {
    @ParentCommand
    CiStatusMain parent;

    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions options = new GlobalOptions();

    /** The session this invocation runs in: the options after the subcommand over those before it. */
    final Session session() throws ConfigException {
        return parent.session(options);
    }
}
