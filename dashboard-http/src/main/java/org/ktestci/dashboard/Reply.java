package org.ktestci.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response before it becomes a Pekko {@code HttpResponse}: status, type, body and extra headers. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String HTML = "text/html; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    static Reply html(String html) {
        return new Reply(200, HTML, html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** ktest-compatible {@code format=json}: pretty-printed. */
    static Reply prettyJson(Object value) {
        return json(200, value, PRETTY);
    }

    /** {@code /api/v1}: compact. */
    static Reply json(int status, Object value) {
        return json(status, value, COMPACT);
    }

    private static Reply json(int status, Object value, ObjectMapper mapper) {
        try {
            return new Reply(status, JSON, mapper.writeValueAsBytes(value), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unserializable JSON view", e);
        }
    }

    static Reply text(int status, String text) {
        return new Reply(status, TEXT, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply redirect(String location) {
        return new Reply(302, TEXT, new byte[0], Map.of("Location", location));
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }
}
