package org.ktestci.launcher.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange over a plain socket, with the request bytes exactly as given (malformed ones too) and
 * the answer read up to a bound: status, headers, and the body until its length, the server's close or the
 * bound; an event stream is left after its headers.
 */
final class RawHttp {
    record Response(int status, String headers, String body) {}

    private RawHttp() {
    }

    static Response send(String host, int port, String request, int maxBody) throws IOException {
        return send(host, port, request, maxBody, 60_000);
    }

    static Response send(String host, int port, String request, int maxBody, int timeoutMillis) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String head = head(in);
            if (!head.startsWith("HTTP/1.1 ") || head.length() < 12) {
                throw new IOException("not an HTTP response: " + head);
            }
            int status = Integer.parseInt(head.substring(9, 12));
            String lower = head.toLowerCase(Locale.ROOT);
            boolean noBody = request.startsWith("HEAD ") || status == 304 || status == 204
                    || lower.contains("content-type: text/event-stream");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (!noBody) {
                long length = contentLength(lower);
                byte[] buf = new byte[8192];
                int n;
                while (body.size() < maxBody && (length < 0 || body.size() < length) && (n = in.read(buf)) >= 0) {
                    body.write(buf, 0, n);
                }
            }
            return new Response(status, head, body.toString(StandardCharsets.ISO_8859_1));
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int state = 0;
        int c;
        while ((c = in.read()) >= 0) {
            h.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
            if (state == 4 || h.size() > 64 * 1024) {
                break;
            }
        }
        return h.toString(StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String lowerHead) {
        int i = lowerHead.indexOf("\ncontent-length:");
        if (i < 0) {
            return -1;
        }
        int end = lowerHead.indexOf('\r', i + 1);
        return Long.parseLong(lowerHead.substring(i + "\ncontent-length:".length(), end).trim());
    }
}
