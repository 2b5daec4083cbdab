package org.ktestci.cistatus;

import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One invocation's settings and mode (cli.md §1): merged options, the output terminal, the config file, and the
 * choice between local mode (results on disk) and remote mode.
 */
final class Session {

    private final GlobalOptions options;
    private final Streams streams;
    private final Terminal terminal;

    Session(GlobalOptions options, Streams streams) {
        this.options = options;
        this.streams = streams;
        this.terminal = new Terminal(streams.out(),
                options.colorMode().enabled(streams.stdoutIsTty(), streams.env()), streams.stdoutIsTty());
    }

    Terminal out() {
        return terminal;
    }

    PrintStream err() {
        return streams.err();
    }

    Map<String, String> env() {
        return streams.env();
    }

    boolean json() {
        return options.json();
    }

    /**
     * The config file, or empty when it does not exist (not an error: remote mode needs none, and without one
     * local mode is simply unavailable). An existing but invalid file is an error in every mode.
     */
    Optional<CiConfig> config() throws ConfigException {
        Path path = options.configPath();
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        return Optional.of(ConfigLoader.load(path, ConfigRole.CI_STATUS));
    }

    /** Local mode's results, or the error explaining why this invocation is not in local mode. */
    LocalResults local() throws ConfigException {
        Optional<CiConfig> config = config();
        if (config.isPresent() && isDirectory(config.get().outputDir())) {
            return new LocalResults(config.get());
        }
        if (options.local()) {
            throw new CliError("--local: no output_dir" + whyNoOutputDir(config));
        }
        throw new CliError("no output_dir and no --remote or ci_url" + whyNoOutputDir(config));
    }

    /**
     * Local mode when no --remote is given and output_dir exists; otherwise remote mode with --remote, else
     * ci_url from the file (cli.md §1). {@code --local} means local mode or an error, never the server.
     */
    ResultsSource source() throws ConfigException {
        if (options.local()) {
            return local();
        }
        Optional<CiConfig> config = config();
        if (options.remote == null && config.isPresent() && isDirectory(config.get().outputDir())) {
            return new LocalResults(config.get());
        }
        Optional<String> url = remoteUrl();
        if (url.isEmpty()) {
            return local(); // explains why neither mode is available
        }
        return new RemoteResults(url.get(), cacheDir(), Boolean.TRUE.equals(options.refresh), streams.err());
    }

    private Path cacheDir() {
        if (options.cacheDir != null) {
            return options.cacheDir;
        }
        String xdg = streams.env().get("XDG_CACHE_HOME");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "ktest-ci")
                : Path.of(System.getProperty("user.home"), ".cache", "ktest-ci");
    }

    /**
     * Remote base URL if this invocation names one ({@code --remote}, else {@code ci_url} set in the file). With
     * {@code --local} there is none to use: what needs the server is refused rather than sent there.
     */
    Optional<String> remoteUrl() throws ConfigException {
        if (options.local()) {
            throw new CliError("--local reads results from output_dir only; this needs the server (--remote or ci_url)");
        }
        Optional<CiConfig> config = config();
        if (options.remote != null) {
            return Optional.of(options.remote);
        }
        return config.flatMap(CiConfig::ciUrlFromFile);
    }

    /**
     * Where to ask the coordinator for what only its journal knows (run details, regressions): {@code --remote},
     * else {@code ci_url} from the file, else — next to a coordinator's config — the URL that config implies.
     */
    Optional<String> serverUrl() throws ConfigException {
        Optional<String> url = remoteUrl();
        if (url.isPresent()) {
            return url;
        }
        return config().filter(c -> isDirectory(c.outputDir())).map(CiConfig::ciUrl);
    }

    private String whyNoOutputDir(Optional<CiConfig> config) {
        if (config.isEmpty()) {
            return " (" + options.configPath() + " does not exist)";
        }
        Path dir = config.get().outputDir();
        return dir.toString().isEmpty() ? "" : " (output_dir " + dir + " does not exist)";
    }

    private static boolean isDirectory(Path p) {
        return !p.toString().isEmpty() && Files.isDirectory(p);
    }
}
