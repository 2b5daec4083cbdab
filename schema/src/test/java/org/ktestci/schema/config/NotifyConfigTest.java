package org.ktestci.schema.config;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ktestci.schema.config.ConfigRole.CI_STATUS;
import static org.ktestci.schema.config.ConfigRole.COORDINATOR;

/** {@code [notify]} (issue 14 item 8): webhook URLs and the signing secret, every error with file:line:col. */
class NotifyConfigTest extends ConfigFixtureTest {
    @Test
    void offByDefault() throws Exception {
        NotifyConfig n = f.parse("", CI_STATUS).regressions().notifications();
        assertEquals(NotifyConfig.none(), n);
        assertFalse(n.enabled());
    }

    @Test
    void urlsKeepFileOrder() throws Exception {
        NotifyConfig n = f.parse("""
                [notify]
                webhook_urls = ["https://hooks.example.org/ci?x=1", "http://127.0.0.1:9000/hook"]
                """, CI_STATUS).regressions().notifications();
        assertEquals(List.of(URI.create("https://hooks.example.org/ci?x=1"), URI.create("http://127.0.0.1:9000/hook")),
                n.webhookUrls());
        assertTrue(n.enabled());
        assertEquals(Optional.empty(), n.secretFile());
    }

    @Test
    void eachBadUrlIsReportedWhereItIsWritten() {
        assertEquals(List.of(
                        f.err(3, 5, "notify.webhook_urls[0]", "must be an http:// or https:// URL, got \"ftp://x/y\""),
                        f.err(4, 5, "notify.webhook_urls[1]",
                                "must not hold credentials (user:password@); use webhook_secret_file"),
                        f.err(5, 5, "notify.webhook_urls[2]", "must be an http:// or https:// URL, got \"/relative\""),
                        f.err(6, 5, "notify.webhook_urls[3]", "not a valid URL: Illegal character in path: \"http://x/a b\""),
                        f.err(7, 5, "notify.webhook_urls[4]", "expected string, got integer"),
                        f.err(8, 5, "notify.webhook_urls[5]", "must not have a #fragment, got \"https://h/p#frag\""),
                        f.err(10, 5, "notify.webhook_urls[7]", "duplicate URL \"https://h/ok\""),
                        f.err(12, 1, "notify.webhok_secret_file", "unknown key (did you mean \"webhook_secret_file\"?)")),
                f.errors("""
                        [notify]
                        webhook_urls = [
                            "ftp://x/y",
                            "https://user:pw@h/p",
                            "/relative",
                            "http://x/a b",
                            7,
                            "https://h/p#frag",
                            "https://h/ok",
                            "https://h/ok",
                        ]
                        webhok_secret_file = "s"
                        """, CI_STATUS));
        assertEquals(List.of(f.err(1, 1, "notify", "expected table, got integer")), f.errors("notify = 1\n", CI_STATUS));
        assertEquals(List.of(f.err(2, 1, "notify.webhook_urls", "expected array of strings, got string")),
                f.errors("[notify]\nwebhook_urls = \"https://h/\"\n", CI_STATUS));
    }

    @Test
    void secretFileIsCheckedByTheCoordinatorOnly() throws Exception {
        f.coordinatorLayout();
        Path secret = dir.resolve("hook.secret");
        Files.writeString(secret, "short\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        String toml = ConfigFixture.COORDINATOR_TOP + """
                [notify]
                webhook_urls = ["https://h/"]
                webhook_secret_file = "hook.secret"
                """;
        int line = (int) toml.lines().count();
        assertEquals(List.of(f.err(line, 1, "notify.webhook_secret_file",
                "secret must be at least 16 characters: " + secret)), f.errors(toml, COORDINATOR));
        // ci-status never reads the secret, so it does not judge it.
        assertEquals(Optional.of(secret), f.parse(toml, CI_STATUS).regressions().notifications().secretFile());

        Files.writeString(secret, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of(f.err(line, 1, "notify.webhook_secret_file", "must not be world-readable: " + secret)),
                f.errors(toml, COORDINATOR));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(Optional.of(secret), f.parse(toml, COORDINATOR).regressions().notifications().secretFile());
        assertArrayEquals("0123456789abcdef0123".getBytes(), WebhookSecretFile.read(secret));

        Files.delete(secret);
        assertThrows(AdminTokenFile.Problem.class, () -> WebhookSecretFile.read(secret));
        assertEquals(List.of(f.err(line, 1, "notify.webhook_secret_file", "file not found: " + secret)),
                f.errors(toml, COORDINATOR));
    }
}
