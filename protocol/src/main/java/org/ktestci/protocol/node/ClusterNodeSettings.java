package org.ktestci.protocol.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** How one node joins the {@code ktest-ci} cluster (config.md §6.2). */
public record ClusterNodeSettings(List<String> roles, String bindHost, int port, String advertiseHost,
                                  List<String> seedNodes, boolean insecurePlaintext, Optional<Path> tlsCert,
                                  Optional<Path> tlsKey, Optional<Path> tlsCa) {
}
