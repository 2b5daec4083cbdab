package org.ktestci.schema.config;

import java.util.Locale;
import java.util.Optional;

/** The two architectures ktest-ci schedules for. */
public enum Arch {
    X86_64("x86_64"), AARCH64("aarch64");

    private final String id;

    Arch(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Arch> fromId(String id) {
        for (Arch a : values()) {
            if (a.id.equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The JVM's {@code os.arch} mapped to an arch id, or empty for an unsupported machine. */
    public static Optional<Arch> detect(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            default -> Optional.empty();
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
