package org.ktestci.protocol.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.util.List;

/**
 * Builds the Pekko configuration of a node from ktest-ci settings: cluster provider, Artery over TCP (or
 * TLS with mutual authentication from PEM files), roles, seeds, and the split-brain resolver of protocol.md §1.
 */
public final class ClusterNodeConfig {
    public static final String SYSTEM_NAME = "ktest-ci";

    private ClusterNodeConfig() {
    }

    public static Config build(ClusterNodeSettings s) {
        Config c = ConfigFactory.empty()
                .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(s.advertiseHost()))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(s.port()))
                .withValue("pekko.remote.artery.bind.hostname", ConfigValueFactory.fromAnyRef(s.bindHost()))
                .withValue("pekko.remote.artery.bind.port", ConfigValueFactory.fromAnyRef(s.port()))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(s.roles()))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(s.seedNodes()))
                .withValue("pekko.cluster.downing-provider-class",
                        ConfigValueFactory.fromAnyRef("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
                // keep-oldest over all members, not only coordinator-role ones as protocol.md §1 has it: Pekko never
                // counts the oldest as "alone" among two members with the role, so with two coordinator nodes the
                // survivors of a crashed oldest coordinator would down themselves instead of taking over.
                .withValue("pekko.cluster.split-brain-resolver.active-strategy", ConfigValueFactory.fromAnyRef("keep-oldest"))
                .withValue("pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone", ConfigValueFactory.fromAnyRef(true))
                // 10 s, not protocol.md's 20 s: a crashed coordinator's standby takes over after detection (~4 s),
                // stable-after, and the removal margin before the singleton moves (Pekko: stable-after again), so
                // 20 s made a failover take about 46 s. Leases do not depend on it (lease_timeout, 12 s, ends a dead
                // worker's first), and a stall of a few seconds downs nobody.
                .withValue("pekko.cluster.split-brain-resolver.stable-after", ConfigValueFactory.fromAnyRef("10s"))
                .withValue("pekko.loggers", ConfigValueFactory.fromIterable(List.of("org.apache.pekko.event.slf4j.Slf4jLogger")))
                .withValue("pekko.logging-filter", ConfigValueFactory.fromAnyRef("org.apache.pekko.event.slf4j.Slf4jLoggingFilter"))
                .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef("INFO"))
                .withValue("pekko.coordinated-shutdown.exit-jvm", ConfigValueFactory.fromAnyRef(false))
                // A stopping worker kills its test processes (TERM, then KILL after 10 s) and says goodbye
                // before it leaves the cluster: give that phase room.
                .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
                        ConfigValueFactory.fromAnyRef("30s"));
        if (s.insecurePlaintext()) {
            c = c.withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tcp"));
        } else {
            String provider = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";
            c = c.withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                    .withValue("pekko.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(provider))
                    .withValue("pekko.remote.artery.ssl.rotating-keys-engine.key-file",
                            ConfigValueFactory.fromAnyRef(s.tlsKey().orElseThrow().toString()))
                    .withValue("pekko.remote.artery.ssl.rotating-keys-engine.cert-file",
                            ConfigValueFactory.fromAnyRef(s.tlsCert().orElseThrow().toString()))
                    .withValue("pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file",
                            ConfigValueFactory.fromAnyRef(s.tlsCa().orElseThrow().toString()))
                    .withValue("pekko.remote.artery.ssl.rotating-keys-engine.protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
                    .withValue("pekko.remote.artery.ssl.rotating-keys-engine.enabled-algorithms",
                            ConfigValueFactory.fromIterable(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")));
        }
        return c.withFallback(ConfigFactory.load());
    }

    public static String seedAddress(String host, int port) {
        return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
    }
}
