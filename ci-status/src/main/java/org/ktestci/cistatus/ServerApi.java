package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The coordinator's {@code /api/v1} as the CLI uses it beyond blobs: JSON documents, admin calls with a bearer
 * token, and server-sent event streams. Errors become {@link CliError}s with the server's {@code error} text.
 */
final class ServerApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One server-sent event: its {@code event} name and {@code data} text. */
    record Event(String name, String data) {
        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new CliError("unreadable event from the server: " + e.getMessage());
            }
        }
    }

    private final ServerConnection server;

    ServerApi(String baseUrl) {
        this.server = new ServerConnection(baseUrl);
    }

    JsonNode get(String path) {
        HttpRequest req = server.request(path).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json").GET().build();
        return answer(path, sendBounded(req, path), 200);
    }

    /** POST a JSON body with the admin token; 200 and 202 are success. */
    JsonNode post(String path, Object body, String token) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest req = server.request(path).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return answer(path, sendBounded(req, path), 200, 202);
    }

    /**
     * Reads the event stream at {@code path} until {@code handler} returns false or the server ends it. Not
     * found is reported as empty (the caller decides what that means).
     */
    Optional<Boolean> follow(String path, Predicate<Event> handler) {
        HttpRequest req = server.request(path).header("Accept", "text/event-stream")
                .GET().build();
        HttpResponse<InputStream> r = server.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new CliError("HTTP " + r.statusCode() + " for " + path);
            }
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = BoundedBody.line(in, BoundedBody.EVENT_LINE, path)) != null; ) {
                if (data.length() > BoundedBody.EVENT_LINE) {
                    throw new CliError(path + ": an event larger than the limit of "
                            + (BoundedBody.EVENT_LINE >> 20) + " MiB");
                }
                if (line.isEmpty()) {
                    if (data.length() > 0 && !handler.test(new Event(name, data.toString()))) {
                        return Optional.of(true);
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
                // "id:" and ": keepalive" comments need nothing here.
            }
        } catch (IOException e) {
            throw new CliError(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        return Optional.of(false);
    }

    /** A response read in full, within {@link BoundedBody#JSON}. */
    private record Answer(int statusCode, String body) {}

    private Answer sendBounded(HttpRequest req, String path) {
        HttpResponse<InputStream> r = server.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return new Answer(r.statusCode(), new String(BoundedBody.read(r, BoundedBody.JSON, path),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw server.failure(e);
        }
    }

    private static JsonNode answer(String path, Answer r, int... ok) {
        JsonNode doc;
        try {
            doc = JSON.readTree(r.body());
            if (doc == null) {
                throw new IOException("empty body");
            }
        } catch (IOException e) {
            throw new CliError("unreadable answer from the server (HTTP " + r.statusCode() + " for " + path + ")");
        }
        for (int code : ok) {
            if (r.statusCode() == code) {
                return doc;
            }
        }
        throw new CliError(doc.path("error").asText("HTTP " + r.statusCode() + " for " + path)
                + (doc.has("keys") ? ": " + doc.get("keys") : ""));
    }
}
