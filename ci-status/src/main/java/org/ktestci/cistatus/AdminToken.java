package org.ktestci.cistatus;

import org.ktestci.schema.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The admin bearer token for commands that change things: {@code --token-file}, else the environment's
 * {@code KTEST_CI_ADMIN_TOKEN}, else the config's {@code http.admin_token_file} when this user can read it.
 */
final class AdminToken {
    static final String ENV = "KTEST_CI_ADMIN_TOKEN";

    private AdminToken() {
    }

    static String find(Optional<Path> tokenFile, Map<String, String> env, Session session) throws ConfigException {
        if (tokenFile.isPresent()) {
            return read(tokenFile.get());
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Optional<Path> configured = session.config().flatMap(c -> c.http().adminTokenFile());
        if (configured.isPresent() && Files.isReadable(configured.get())) {
            return read(configured.get());
        }
        throw new CliError("an admin token is needed: --token-file <path>, " + ENV
                + " or a readable http.admin_token_file");
    }

    private static String read(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (t.isEmpty()) {
                throw new CliError("admin token file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new CliError("cannot read admin token file " + file + ": " + e.getMessage());
        }
    }
}
