package org.ktestci.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The product's version, from the build: Maven writes the root pom's version into {@code build-version.properties}
 * (resource filtering), so the agent's hello, the coordinator's metrics and every {@code --version} say the same.
 */
public final class BuildVersion {
    public static final String VERSION = read();

    private BuildVersion() {
    }

    private static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("build-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("build-version.properties is missing from the schema jar");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isEmpty() || v.startsWith("${")) {
                throw new IllegalStateException("build-version.properties was not filtered by the build: " + v);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
