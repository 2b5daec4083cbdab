package org.ktestci.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** A response before it becomes a Pekko {@code HttpResponse}: status, type, body and extra headers. */
record Reply(int status, String contentType, Body body, Map<String, String> headers) {
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    /** What is sent after the headers. */
    sealed interface Body permits Bytes, Streamed, EventStream {
    }

    /**
     * A {@code text/event-stream} that stays open: the server hands {@code attach} the client's subscriber once
     * the stream runs, and {@code detach} the same subscriber when the client goes away.
     */
    record EventStream(Consumer<EventHub.Subscriber> attach,
                       Consumer<EventHub.Subscriber> detach) implements Body {
    }

    /** A body held in memory (views, small files). */
    record Bytes(byte[] data) implements Body {
    }

    /**
     * A body read from an already opened stream, so a file renamed over after the request was answered still
     * serves the bytes that were measured; {@code length} is -1 when unknown (sent chunked).
     */
    record Streamed(long length, InputStream in) implements Body {
    }

    static Reply bytes(int status, String contentType, byte[] data) {
        return new Reply(status, contentType, new Bytes(data), Map.of());
    }

    static Reply html(String html) {
        return html(200, html);
    }

    static Reply html(int status, String html) {
        return bytes(status, HTML, html.getBytes(StandardCharsets.UTF_8));
    }

    /** ktest-compatible {@code format=json}: pretty-printed. */
    static Reply prettyJson(Object value) {
        return json(200, value, PRETTY);
    }

    /** {@code /api/v1} and JSON errors: compact. */
    static Reply json(int status, Object value) {
        return json(status, value, COMPACT);
    }

    private static Reply json(int status, Object value, ObjectMapper mapper) {
        try {
            return bytes(status, JSON, mapper.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unserializable JSON view", e);
        }
    }

    static Reply eventStream(Consumer<EventHub.Subscriber> attach,
                             Consumer<EventHub.Subscriber> detach) {
        return new Reply(200, "text/event-stream", new EventStream(attach, detach),
                Map.of("Cache-Control", "no-cache", "X-Accel-Buffering", "no"));
    }

    static Reply text(int status, String text) {
        return bytes(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply redirect(String location) {
        return new Reply(302, TEXT, new Bytes(new byte[0]), Map.of("Location", location));
    }

    /** 304: headers only. */
    static Reply notModified() {
        return new Reply(304, TEXT, new Bytes(new byte[0]), Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }

    Reply withHeaders(Map<String, String> more) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.putAll(more);
        return new Reply(status, contentType, body, h);
    }
}
