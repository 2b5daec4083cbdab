package org.ktestci.schema.config;

import java.util.Optional;

/** {@code [hosts.<hostname>]}: values that win over what a worker announces (config.md §6.1). */
public record HostConfig(String name, Optional<Integer> slots, Optional<Arch> arch) {
}
