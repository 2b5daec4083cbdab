package org.ktestci.schema.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code [notify]} (see {@link NotifyConfig}); each bad URL is reported at its own position. */
final class NotifyReader {
    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;

    NotifyReader(TomlReader r, TomlScope root, ConfigRole role) {
        this.r = r;
        this.root = root;
        this.role = role;
    }

    NotifyConfig read() {
        Optional<TomlScope> section = r.table(root, "notify");
        if (section.isEmpty()) {
            return NotifyConfig.none();
        }
        TomlScope s = section.get();
        r.unknownKeys(s, List.of("webhook_urls", "webhook_secret_file"), Map.of());
        List<URI> urls = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TomlReader.Element e : r.stringArray(s, "webhook_urls").orElse(List.of())) {
            String at = s.keyPath("webhook_urls") + "[" + e.index() + "]";
            Optional<String> problem = problem(e.value());
            if (problem.isPresent()) {
                r.errorAt(e.line(), e.column(), at, problem.get());
            } else if (!seen.add(e.value())) {
                r.errorAt(e.line(), e.column(), at, "duplicate URL \"" + e.value() + "\"");
            } else {
                urls.add(URI.create(e.value()));
            }
        }
        Optional<Path> secret = r.path(s, "webhook_secret_file");
        if (secret.isPresent() && role.coordinator()) {
            try {
                WebhookSecretFile.read(secret.get());
            } catch (AdminTokenFile.Problem p) {
                r.error(s, "webhook_secret_file", p.getMessage());
            }
        }
        return new NotifyConfig(urls, secret);
    }

    /** Why {@code url} cannot be a webhook: absolute http(s) with a host, no credentials, no fragment. */
    static Optional<String> problem(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URL: " + e.getReason() + ": \"" + url + "\"");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http:// or https:// URL, got \"" + url + "\"");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            return Optional.of("must name a host, got \"" + url + "\"");
        }
        if (u.getRawUserInfo() != null) {
            // It would be shown in logs and errors; a receiver authenticates requests by the signature instead.
            return Optional.of("must not hold credentials (user:password@); use webhook_secret_file");
        }
        if (u.getRawFragment() != null) {
            return Optional.of("must not have a #fragment, got \"" + url + "\"");
        }
        return Optional.empty();
    }
}
