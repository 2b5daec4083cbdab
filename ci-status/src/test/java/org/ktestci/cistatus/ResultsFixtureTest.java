package org.ktestci.cistatus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test class whose every test runs ci-status over a fresh {@link ResultsFixture} in {@link #dir}. */
abstract class ResultsFixtureTest {
    @TempDir
    Path dir;
    ResultsFixture fx;

    @BeforeEach
    void newFixture() throws Exception {
        fx = new ResultsFixture(dir);
    }
}
