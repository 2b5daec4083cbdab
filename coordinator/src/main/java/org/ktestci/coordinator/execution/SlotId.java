package org.ktestci.coordinator.execution;

/** A slot {@code <host>:<n>}. */
public record SlotId(String host, int index) {
    @Override
    public String toString() {
        return host + ":" + index;
    }
}
