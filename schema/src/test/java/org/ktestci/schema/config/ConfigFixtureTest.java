package org.ktestci.schema.config;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test class whose every test writes and loads its config through a fresh {@link ConfigFixture} in {@link #dir}. */
abstract class ConfigFixtureTest {
    @TempDir
    Path dir;
    ConfigFixture f;

    @BeforeEach
    void newFixture() {
        f = new ConfigFixture(dir);
    }
}
