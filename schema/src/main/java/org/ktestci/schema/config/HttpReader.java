package org.ktestci.schema.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code [http]} (config.md §6.2). */
final class HttpReader {
    private static final Pattern BIND = Pattern.compile("^(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]\\s]+):(\\d{1,5})$");
    private static final Pattern BASE_PATH = Pattern.compile("^/[A-Za-z0-9._~/-]*[^/]$");

    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;

    HttpReader(TomlReader r, TomlScope root, ConfigRole role) {
        this.r = r;
        this.root = root;
        this.role = role;
    }

    HttpConfig read() {
        TomlScope s = r.table(root, "http").orElseGet(() -> root.absent("http"));
        r.unknownKeys(s, List.of("bind", "base_path", "admin_token_file"), Map.of());
        String host = "0.0.0.0";
        int port = 8080;
        Optional<String> bind = r.string(s, "bind");
        if (bind.isPresent()) {
            Matcher m = BIND.matcher(bind.get());
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
                r.error(s, "bind", "must be \"<host>:<port>\", got \"" + bind.get() + "\"");
            } else {
                host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
                port = Integer.parseInt(m.group(2));
            }
        }
        String basePath = r.string(s, "base_path").orElse("");
        if (!basePath.isEmpty() && !BASE_PATH.matcher(basePath).matches()) {
            r.error(s, "base_path", "must be \"\" or match ^/[A-Za-z0-9._~/-]*[^/]$, got \"" + basePath + "\"");
            basePath = "";
        }
        Optional<Path> token = r.path(s, "admin_token_file");
        if (token.isPresent() && role.coordinator() && Files.exists(token.get())) {
            tokenProblem(token.get()).ifPresent(p -> r.error(s, "admin_token_file", p));
        }
        return new HttpConfig(host, port, basePath, token);
    }

    /** Only the coordinator reads the token; a copy others can read would let any local user act as admin. */
    private static Optional<String> tokenProblem(Path token) {
        try {
            AdminTokenFile.read(token);
            return Optional.empty();
        } catch (AdminTokenFile.Problem p) {
            return Optional.of(p.getMessage());
        }
    }
}
