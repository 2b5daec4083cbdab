package org.ktestci.launcher;

import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.config.ConfigLoader;
import org.ktestci.schema.config.ConfigRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ktest-ci demo}: writes the demo, runs coordinator + worker + dashboard in this JVM, and pushes two
 * more commits while it runs so a user sees new commits picked up. Port 8080 is used if free.
 */
public final class DemoRun {
    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);

    private final Path dir;
    private final Optional<Path> qemuKernel;

    public DemoRun(Path dir, Optional<Path> qemuKernel) {
        this.dir = dir;
        this.qemuKernel = qemuKernel;
    }

    public int run() throws IOException, InterruptedException {
        DemoInit init = new DemoInit(dir);
        Path configFile = Files.exists(init.config()) ? init.config() : init.write();
        if (qemuKernel.isPresent()) {
            useQemu(configFile, qemuKernel.get().toAbsolutePath());
        }
        CiConfig config;
        CoordinatorNode node;
        try {
            config = ConfigLoader.load(configFile, ConfigRole.COORDINATOR_WITH_WORKER);
            node = start(configFile, config);
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            return ConfigException.EXIT_CODE;
        }
        String url = DashboardUrl.of(config, node.httpPort());
        System.out.println();
        System.out.println("ktest-ci demo is running.");
        System.out.println("  dashboard:  " + url);
        System.out.println("  demo dir:   " + dir);
        System.out.println("  results:    ./ktest-ci status --config " + configFile + " log main");
        System.out.println("Two more commits will be pushed in 20 s and 40 s. Stop with Ctrl-C.");
        System.out.println();
        ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-pusher");
            t.setDaemon(true);
            return t;
        });
        pusher.schedule(() -> push(init, "bcachefs: fix allocator accounting"), 20, TimeUnit.SECONDS);
        pusher.schedule(() -> push(init, "bcachefs: add btree key cache shrinker"), 40, TimeUnit.SECONDS);
        try {
            node.awaitTermination();
        } finally {
            pusher.shutdownNow();
            node.close();
        }
        return 0;
    }

    /** Uses the configured port (8080) when free, else rewrites the demo config to pick any free port. */
    private static CoordinatorNode start(Path configFile, CiConfig config) throws IOException, ConfigException {
        try {
            return CoordinatorNode.start(config, true);
        } catch (IOException e) {
            LOG.warn("port {} is taken ({}); using a free port instead", config.http().bindPort(), e.getMessage());
            String text = Files.readString(configFile, StandardCharsets.UTF_8)
                    .replace("bind = \"127.0.0.1:8080\"", "bind = \"127.0.0.1:0\"");
            Files.writeString(configFile, text, StandardCharsets.UTF_8);
            return CoordinatorNode.start(ConfigLoader.load(configFile, ConfigRole.COORDINATOR_WITH_WORKER), true);
        }
    }

    /** Switches the demo to real VMs: the qemu runner, this kernel, and the group env that leaves no_vm off. */
    private static void useQemu(Path configFile, Path kernel) throws IOException {
        String text = Files.readString(configFile, StandardCharsets.UTF_8)
                .replace("runner = \"host\"", "runner = \"qemu\"\nqemu_kernel = \"" + kernel + "\"")
                .replace("tests = [\"demo/smoke.ktest\"]", "tests = [\"demo/smoke.ktest\"]\nenv = { ktest_demo_vm = \"1\" }");
        Files.writeString(configFile, text, StandardCharsets.UTF_8);
    }

    private static void push(DemoInit init, String subject) {
        try {
            String sha = init.pushOneMore(subject);
            System.out.println("demo: pushed " + sha.substring(0, 12) + " \"" + subject + "\" to upstream main");
        } catch (IOException e) {
            LOG.error("demo push failed: {}", e.getMessage());
        }
    }
}
