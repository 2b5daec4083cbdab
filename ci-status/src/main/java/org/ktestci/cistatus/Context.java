package org.ktestci.cistatus;

import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;

/** Everything a subcommand runs with: merged options, the output terminal, and the local results. */
final class Context {
    final GlobalOptions options;
    final Terminal term;
    final PrintStream err;
    private final CiConfig config;

    private Context(GlobalOptions options, Terminal term, PrintStream err, CiConfig config) {
        this.options = options;
        this.term = term;
        this.err = err;
        this.config = config;
    }

    static Context create(GlobalOptions options, CiStatusMain.Io io) throws ConfigException {
        boolean tty = io.tty();
        Terminal term = new Terminal(io.out(), Terminal.colorWanted(options.colorMode(), tty, io.env()), tty);
        CiConfig config = null;
        boolean remote = options.remote != null;
        if (!remote || Files.exists(options.configPath())) {
            config = ConfigLoader.load(options.configPath(), ConfigRole.CI_STATUS);
        }
        return new Context(options, term, io.err(), config);
    }

    /** Local mode when no --remote is given and the config's output_dir exists (cli.md §1). */
    LocalResults local() {
        if (options.remote != null) {
            throw new CliError("remote mode (--remote) is not available in this build; run ci-status on the "
                    + "coordinator host, where output_dir is local");
        }
        if (config == null || config.outputDir().toString().isEmpty() || !Files.isDirectory(config.outputDir())) {
            if (config != null && config.ciUrlFromFile().isPresent()) {
                throw new CliError("remote mode (ci_url) is not available in this build; output_dir "
                        + (config.outputDir().toString().isEmpty() ? "is not set" : config.outputDir() + " does not exist"));
            }
            throw new CliError("no output_dir and no --remote or ci_url");
        }
        return new LocalResults(config);
    }

    CiConfig config() {
        return config;
    }

    static Map<String, String> env() {
        return System.getenv();
    }
}
