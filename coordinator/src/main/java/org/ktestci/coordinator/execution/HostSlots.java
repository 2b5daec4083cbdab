package org.ktestci.coordinator.execution;

import java.util.Optional;

/** {@code [hosts.<name>]} as the gateway needs it: configured slot count and arch, both optional. */
public record HostSlots(Optional<Integer> slots, Optional<String> arch) {
    public static final HostSlots UNCONFIGURED = new HostSlots(Optional.empty(), Optional.empty());
}
