package org.ktestci.cistatus;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options accepted before or after the subcommand (cli.md §1). Mixed into the top command and every subcommand;
 * {@link #over} merges the two, the value given after the subcommand winning.
 */
final class GlobalOptions {
    static final Path DEFAULT_CONFIG = Path.of("/etc/ktest-ci.toml");

    @Option(names = "--config", paramLabel = "<path>", description = "config file (default /etc/ktest-ci.toml)")
    Path config;

    @Option(names = "--remote", paramLabel = "<url>", description = "remote mode against this server base URL")
    String remote;

    /** ktest's flag: there it was the default anyway; here it insists on local mode (cli.md §1). */
    @Option(names = "--local", description = "local mode: read results from the config's output_dir, never the server")
    Boolean local;

    @Option(names = "--json", description = "JSON output")
    Boolean json;

    @Option(names = "--color", paramLabel = "<auto|always|never>",
            description = "colour: auto (default; only on a terminal), always or never")
    ColorMode color;

    @Option(names = "--cache-dir", paramLabel = "<dir>", description = "remote-mode blob cache")
    Path cacheDir;

    @Option(names = "--refresh", description = "remote mode: revalidate every cached blob used")
    Boolean refresh;

    GlobalOptions over(GlobalOptions before) {
        GlobalOptions g = new GlobalOptions();
        g.config = config != null ? config : before.config;
        g.remote = remote != null ? remote : before.remote;
        g.local = local != null ? local : before.local;
        g.json = json != null ? json : before.json;
        g.color = color != null ? color : before.color;
        g.cacheDir = cacheDir != null ? cacheDir : before.cacheDir;
        g.refresh = refresh != null ? refresh : before.refresh;
        return g;
    }

    Path configPath() {
        return config != null ? config : DEFAULT_CONFIG;
    }

    boolean local() {
        return Boolean.TRUE.equals(local);
    }

    boolean json() {
        return Boolean.TRUE.equals(json);
    }

    ColorMode colorMode() {
        return color != null ? color : ColorMode.AUTO;
    }
}
