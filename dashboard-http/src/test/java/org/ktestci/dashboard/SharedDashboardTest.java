package org.ktestci.dashboard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A test class whose tests all query one dashboard over {@link DashboardFixture}'s data: started before the first
 * test and closed after the last. One test instance serves the whole class, so its fields hold the fixture; a
 * subclass adds to the fixture in a {@code @BeforeAll} method of its own, which runs after this one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SharedDashboardTest {
    DashboardFixture fx;
    Http http;

    /** The {@code [http] base_path} the dashboard serves under. */
    String basePath() {
        return "";
    }

    @BeforeAll
    void startDashboard(@TempDir Path root) throws Exception {
        fx = DashboardFixture.start(root, basePath());
        http = fx.http;
    }

    @AfterAll
    void stopDashboard() throws Exception {
        fx.close();
    }
}
