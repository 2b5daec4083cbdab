package org.ktestci.schema.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

/**
 * The rules of {@code notify.webhook_secret_file}: a regular file, not world-readable, holding at least
 * {@value #MIN_LENGTH} characters once trimmed. Checked at load and at every read, so a file made world-readable
 * after start is refused too. Messages name the file, never its content.
 */
public final class WebhookSecretFile {
    public static final int MIN_LENGTH = 16;

    private WebhookSecretFile() {
    }

    /** The secret's bytes (UTF-8 of the trimmed content), or a {@link AdminTokenFile.Problem} saying what is wrong. */
    public static byte[] read(Path file) throws AdminTokenFile.Problem {
        try {
            if (!Files.isRegularFile(file)) {
                throw new AdminTokenFile.Problem(Files.exists(file) ? "not a regular file: " + file
                        : "file not found: " + file);
            }
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                throw new AdminTokenFile.Problem("must not be world-readable: " + file);
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (secret.length() < MIN_LENGTH) {
                throw new AdminTokenFile.Problem("secret must be at least " + MIN_LENGTH + " characters: " + file);
            }
            return secret.getBytes(StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException e) {
            throw new AdminTokenFile.Problem("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }
}
