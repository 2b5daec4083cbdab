package org.ktestci.cistatus;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** An HTTP server on 127.0.0.1 (port 0) that the test's handler answers, and {@code ci-status --remote} against it. */
final class FakeServer implements AutoCloseable {
    private final HttpServer server;
    final String base;

    /** @param executor the server's threads; null for its single dispatcher thread */
    FakeServer(HttpHandler handler, Executor executor) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        base = "http://127.0.0.1:" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** ci-status in remote mode against this server: no config file, the blob cache in {@code dir/cache}. */
    CliRun remote(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", dir.resolve("none.toml").toString(), "--remote", base,
                "--cache-dir", dir.resolve("cache").toString()));
        all.addAll(List.of(args));
        return CliRun.of(false, CliRun.PLAIN_ENV, all.toArray(String[]::new));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
