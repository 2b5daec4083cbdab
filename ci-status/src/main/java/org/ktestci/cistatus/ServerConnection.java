package org.ktestci.cistatus;

import org.ktestci.schema.git.UrlCredentials;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A server's base URL and the HTTP client that talks to it, shared by {@link ServerApi} and
 * {@link RemoteResults}. A transport failure becomes a {@link CliError} that names the server with its
 * credentials masked, never the URL as given.
 */
final class ServerConnection {
    /** The base URL without a trailing slash: paths are appended to it. */
    final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    ServerConnection(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path));
    }

    <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError("interrupted");
        }
    }

    /** A failure while talking to the server, for reading a body as well as for sending. */
    CliError failure(IOException e) {
        return new CliError(UrlCredentials.mask(base) + ": " + (e.getMessage() == null
                ? e.getClass().getSimpleName() : UrlCredentials.scrub(e.getMessage(), base)));
    }

    /** A path segment or query value, with spaces as {@code %20}. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
