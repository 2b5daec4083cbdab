package org.ktestci.schema.config;

import java.util.Locale;
import java.util.Optional;

/** The two architectures ktest-ci schedules for, named as in the config and in result keys. */
public enum Arch {
    X86_64("x86_64"), AARCH64("aarch64");

    private final String id;

    Arch(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The arch a config value names ({@code "x86_64"}, {@code "aarch64"}); empty for anything else. */
    public static Optional<Arch> fromConfig(String value) {
        for (Arch a : values()) {
            if (a.id.equals(value)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** This machine's arch from the JVM's {@code os.arch}; empty on an unsupported machine. */
    public static Optional<Arch> detect() {
        return detect(System.getProperty("os.arch", ""));
    }

    /** An {@code os.arch} value mapped to an arch ({@code amd64}/{@code x86_64}, {@code aarch64}/{@code arm64}). */
    public static Optional<Arch> detect(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            default -> Optional.empty();
        };
    }

    static String notAnArch(String value) {
        return "must be one of \"x86_64\", \"aarch64\", got \"" + value + "\"";
    }

    @Override
    public String toString() {
        return id;
    }
}
