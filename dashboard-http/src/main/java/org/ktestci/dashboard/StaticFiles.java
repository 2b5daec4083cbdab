package org.ktestci.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/** {@code /static/<name>}: the dashboard's own CSS, JS and icon from the classpath folder {@code static/}. */
final class StaticFiles {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9-]+\\.(css|js|svg)$");

    Reply get(String name) {
        if (!NAME.matcher(name).matches()) {
            throw HttpError.notFound("Not found");
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream("/static/" + name)) {
            if (in == null) {
                throw HttpError.notFound("Not found");
            }
            String type = name.endsWith(".css") ? "text/css; charset=utf-8"
                    : name.endsWith(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8";
            return Reply.bytes(200, type, in.readAllBytes()).withHeader("Cache-Control", "no-cache");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
