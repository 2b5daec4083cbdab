package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests against a fixture's server with {@link HttpClient}, plus raw request targets over a socket. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final DashboardFixture fixture;

    Http(DashboardFixture fixture) {
        this.fixture = fixture;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fixture.port() + path);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    String html(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + body(r));
        assertEquals("text/html; charset=utf-8", header(r, "Content-Type"));
        return body(r);
    }

    JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + body(r));
        assertEquals("application/json; charset=utf-8", header(r, "Content-Type"));
        return JSON.readTree(r.body());
    }

    /** Sends {@code target} exactly as given (no client-side normalisation) and returns the status code. */
    int rawStatus(String method, String target, String... headerLines) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fixture.port())) {
            s.setSoTimeout(30_000);
            OutputStream o = s.getOutputStream();
            StringBuilder req = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            for (String h : headerLines) {
                req.append(h).append("\r\n");
            }
            o.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            String status = line.toString(StandardCharsets.ISO_8859_1);
            assertTrue(status.startsWith("HTTP/1.1 "), status);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    /** {@code n} as the server's JSON parses back (an expected 31L and a parsed 31 compare equal). */
    static JsonNode normalized(JsonNode n) throws IOException {
        return JSON.readTree(JSON.writeValueAsBytes(n));
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }
}
