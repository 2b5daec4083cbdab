package org.ktestci.cistatus;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options accepted before or after the subcommand (cli.md §1); a subcommand's own value wins. */
final class GlobalOptions {
    @Option(names = "--config", paramLabel = "<path>", description = "config file (default /etc/ktest-ci.toml)")
    Path config;

    @Option(names = "--remote", paramLabel = "<url>", description = "remote mode against this server base URL")
    String remote;

    @Option(names = "--json", description = "JSON output")
    Boolean json;

    @Option(names = "--color", paramLabel = "<auto|always|never>", description = "colour output (default auto)")
    String color;

    @Option(names = "--cache-dir", paramLabel = "<dir>", description = "remote-mode blob cache")
    Path cacheDir;

    @Option(names = "--refresh", description = "remote mode: revalidate every cached blob used")
    Boolean refresh;

    GlobalOptions over(GlobalOptions parent) {
        GlobalOptions g = new GlobalOptions();
        g.config = config != null ? config : parent.config;
        g.remote = remote != null ? remote : parent.remote;
        g.json = json != null ? json : parent.json;
        g.color = color != null ? color : parent.color;
        g.cacheDir = cacheDir != null ? cacheDir : parent.cacheDir;
        g.refresh = refresh != null ? refresh : parent.refresh;
        return g;
    }

    Path configPath() {
        return config != null ? config : Path.of("/etc/ktest-ci.toml");
    }

    boolean json() {
        return Boolean.TRUE.equals(json);
    }

    String colorMode() {
        return color == null ? "auto" : color;
    }
}
