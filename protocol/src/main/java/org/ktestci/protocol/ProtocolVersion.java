package org.ktestci.protocol;

/** Version of the worker ↔ coordinator protocol, checked in {@code WorkerHello} (protocol.md §6). */
public final class ProtocolVersion {
    public static final int CURRENT = 1;

    private ProtocolVersion() {
    }
}
