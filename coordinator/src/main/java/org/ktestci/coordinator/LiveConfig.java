package org.ktestci.coordinator;

import org.ktestci.coordinator.execution.HostSlots;
import org.ktestci.coordinator.scheduling.BranchSpec;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigError;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The coordinator's config as it is now (config.md §1): parts read it at each use, and {@link #reload} replaces
 * it when the file's content changed and is valid. An invalid file leaves the running config in place; its
 * problems are logged once per content and shown as {@code config_errors}. Keys marked <i>restart</i> are only
 * reported: their new values apply at the next start.
 */
public final class LiveConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    /** The outcome of one reload: whether the file changed, whether it was applied, what needs a restart. */
    public record Reload(boolean changed, boolean applied, List<String> restartRequired, List<String> errors) {}

    private record Current(CiConfig config, List<BranchSpec> branches, SchedulerSettings settings) {}

    private final ConfigRole role;
    /** The config the node started with: restart keys are compared against it. */
    private final CiConfig started;
    private volatile Current current;
    private volatile List<String> errors = List.of();
    private volatile String rejectedDigest = "";
    private final List<Consumer<LiveConfig>> listeners = new CopyOnWriteArrayList<>();

    public LiveConfig(CiConfig config, ConfigRole role) {
        this.role = role;
        this.started = config;
        this.current = of(config);
    }

    private static Current of(CiConfig c) {
        ConfigMapping m = new ConfigMapping(c);
        return new Current(c, m.branches(), m.scheduler());
    }

    public CiConfig config() {
        return current.config();
    }

    public List<BranchSpec> branches() {
        return current.branches();
    }

    public SchedulerSettings settings() {
        return current.settings();
    }

    public Duration fetchInterval() {
        return Duration.ofSeconds(current.config().fetchInterval());
    }

    public Duration gcGrace() {
        return Duration.ofSeconds(current.config().gcGrace());
    }

    public Duration maintenanceInterval() {
        return Duration.ofSeconds(current.config().maintenanceInterval());
    }

    public HostSlots hostSlots(String host) {
        return new ConfigMapping(current.config()).hostSlots(host);
    }

    public List<String> configuredHosts() {
        return List.copyOf(current.config().hosts().keySet());
    }

    /** The problems of the edited file that was rejected; empty while the file in use is the file on disk. */
    public List<String> errors() {
        return errors;
    }

    /** Told after every applied reload (the running actors pick up branches and intervals). */
    public void onApplied(Consumer<LiveConfig> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<LiveConfig> listener) {
        listeners.remove(listener);
    }

    /**
     * Re-reads the file (blocking). Without {@code force} an unchanged digest is a no-op; with it (the admin
     * reload) the file is parsed and applied even when the digest is the one in use.
     */
    public synchronized Reload reload(boolean force) {
        CiConfig running = current.config();
        String content;
        try {
            content = Files.readString(running.file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            String msg = running.file() + ":1:1: (file): cannot read: " + e.getMessage();
            return reject(msg.hashCode() + "", List.of(msg));
        }
        CiConfig next;
        try {
            next = ConfigLoader.parse(content, running.file(), role);
        } catch (ConfigException e) {
            List<String> messages = new ArrayList<>();
            for (ConfigError err : e.errors()) {
                messages.add(err.toString());
            }
            return reject(Integer.toHexString(content.hashCode()), messages);
        }
        boolean changed = !next.contentDigest().equals(running.contentDigest());
        errors = List.of();
        rejectedDigest = "";
        if (!changed && !force) {
            return new Reload(false, false, List.of(), List.of());
        }
        current = of(next);
        List<String> restart = restartRequired(started, next);
        LOG.info("config reloaded: file={} digest={} branches={} restart_required={}", next.file(),
                next.contentDigest().substring(0, 12), next.branches().size(), restart);
        listeners.forEach(l -> l.accept(this));
        return new Reload(changed, true, restart, List.of());
    }

    private Reload reject(String digest, List<String> messages) {
        if (!digest.equals(rejectedDigest)) {
            rejectedDigest = digest;
            messages.forEach(m -> LOG.error("config not reloaded: {}", m));
        }
        errors = List.copyOf(messages);
        return new Reload(true, false, List.of(), errors);
    }

    /** Keys whose new value needs a restart (config.md marks them <i>restart</i>; the worker reads at start). */
    static List<String> restartRequired(CiConfig was, CiConfig now) {
        List<String> out = new ArrayList<>();
        check(out, "user", was.user(), now.user());
        check(out, "output_dir", was.outputDir(), now.outputDir());
        check(out, "state_dir", was.stateDir(), now.stateDir());
        check(out, "ktest_dir", was.ktestDir(), now.ktestDir());
        check(out, "subtest_duration_def", was.subtestDurationDef(), now.subtestDurationDef());
        check(out, "lease_timeout", was.leaseTimeout(), now.leaseTimeout());
        check(out, "heartbeat_interval", was.heartbeatInterval(), now.heartbeatInterval());
        check(out, "cluster", was.cluster(), now.cluster());
        if (!Objects.equals(was.http().bindHost(), now.http().bindHost())
                || was.http().bindPort() != now.http().bindPort()) {
            out.add("http.bind");
        }
        check(out, "http.base_path", was.http().basePath(), now.http().basePath());
        check(out, "http.admin_token_file", was.http().adminTokenFile(), now.http().adminTokenFile());
        check(out, "persistence", was.persistence(), now.persistence());
        check(out, "worker", was.worker(), now.worker());
        return out;
    }

    private static void check(List<String> out, String key, Object was, Object now) {
        if (!Objects.equals(was, now)) {
            out.add(key);
        }
    }
}
