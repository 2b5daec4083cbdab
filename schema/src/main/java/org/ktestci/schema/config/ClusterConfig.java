package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code [cluster]} (config.md §6.2). {@code seedNodesSet} tells whether the file set the seed list (else it is
 * {@code pekko://ktest-ci@<ci_host>:25520}); {@code advertiseHost} empty means the node's own default
 * ({@code worker.host} on workers, {@code ci_host} on coordinators).
 */
public record ClusterConfig(List<String> seedNodes, boolean seedNodesSet, String bindHost, int port,
                            Optional<String> advertiseHost, Optional<Path> tlsCert, Optional<Path> tlsKey,
                            Optional<Path> tlsCa, boolean insecurePlaintext) {
    public ClusterConfig {
        seedNodes = List.copyOf(seedNodes);
    }
}
