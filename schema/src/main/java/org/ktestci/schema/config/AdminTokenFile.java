package org.ktestci.schema.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

/**
 * The rules of {@code http.admin_token_file} (config.md §6.2), in one place for every reader: the config check
 * at load, and the admin API and {@code ci-status} at every read, so a file made world-readable or cut short
 * after start is refused too. The token is the file's content, trimmed.
 */
public final class AdminTokenFile {
    public static final int MIN_LENGTH = 32;

    /** A token file that breaks a rule, with a message naming the file and the rule. */
    public static final class Problem extends Exception {
        public Problem(String message) {
            super(message);
        }
    }

    private AdminTokenFile() {
    }

    /** The token; a world-readable, unreadable or short file is a {@link Problem}. */
    public static String read(Path file) throws Problem {
        try {
            if (!Files.isRegularFile(file)) {
                throw new Problem(Files.exists(file) ? "not a regular file: " + file : "file not found: " + file);
            }
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                throw new Problem("must not be world-readable: " + file);
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.length() < MIN_LENGTH) {
                throw new Problem("token must be at least " + MIN_LENGTH + " characters: " + file);
            }
            return token;
        } catch (IOException | UnsupportedOperationException e) {
            throw new Problem("cannot read " + file + ": " + e.getMessage());
        }
    }
}
