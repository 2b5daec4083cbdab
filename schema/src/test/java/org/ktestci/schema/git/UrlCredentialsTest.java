package org.ktestci.schema.git;

import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlCredentialsTest {
    @Test
    void masksEveryFormOfUserInfo() {
        assertEquals("https://***@git.example.org/linux.git",
                UrlCredentials.mask("https://alice:s3cret@git.example.org/linux.git"));
        assertEquals("https://***@github.com/o/r.git",
                UrlCredentials.mask("https://ghp_0123456789abcdefTOKEN@github.com/o/r.git"), "token only");
        assertEquals("https://***@host/r.git", UrlCredentials.mask("https://u:p@ss@host/r.git"), "raw @ in password");
        assertEquals("https://***@host/r.git", UrlCredentials.mask("https://u:pa/ss@host/r.git"), "raw / in password");
        assertEquals("https://***@host:8443/r.git", UrlCredentials.mask("https://u:pa/s@s@host:8443/r.git"));
        assertEquals("https://***@host/r.git", UrlCredentials.mask("https://u:p%40ss@host/r.git"));
        assertEquals("https://***@host/r.git", UrlCredentials.mask("https://u:p?ss@host/r.git"), "? in password");
        assertEquals("https://***@host/r.git", UrlCredentials.mask("https://u:p#ss@host/r.git"), "# in password");
        assertEquals("ssh://***@host/r.git", UrlCredentials.mask("ssh://git@host/r.git"));
        assertEquals("https://***@[::1]:99/r", UrlCredentials.mask("https://t@[::1]:99/r"));
    }

    @Test
    void leavesUrlsWithoutCredentialsAlone() {
        for (String url : List.of("https://git.example.org/linux.git", "https://host:8443/a@b/r.git",
                "git://host/r", "file:///srv/a@b/r.git", "/srv/git/r.git", "upstream", "https://[::1]:80/x", "",
                "pekko://ktest-ci@ci.example.net:25520")) {
            assertEquals(url, UrlCredentials.mask(url));
            assertFalse(UrlCredentials.hasUserInfo(url), url);
        }
        assertTrue(UrlCredentials.hasUserInfo("https://t@h/r"));
    }

    /** JGit's own parser agrees about what the user-info is, so what we hide is what it would send. */
    @Test
    void masksWhatJgitTakesForCredentials() throws Exception {
        for (String url : List.of("https://alice:s3cret@git.example.org/linux.git", "https://TOKEN1234@h/r.git",
                "https://u:p%40ss@host/r.git", "https://u:p@ss@host/r.git")) {
            URIish u = new URIish(url);
            String masked = UrlCredentials.mask(url);
            if (u.getPass() != null) {
                assertFalse(masked.contains(u.getPass()), masked);
            }
            assertFalse(masked.contains(u.getUser()), masked);
            assertTrue(masked.contains(u.getHost()), masked);
        }
    }

    @Test
    void scrubsUrlsAndSecretsInFreeText() {
        String url = "https://bob:p%40ss/word@git.example.org/r.git";
        String text = "https://bob@git.example.org/r.git: not authorized; tried 'https://bob:p%40ss/word@git.example"
                + ".org/r.git' (password p@ss/word)\nhttps://TOKEN9876@other.host/x.git: cannot open";
        String s = UrlCredentials.scrub(text, List.of(url, "https://TOKEN9876@other.host/x.git"));
        for (String secret : List.of("p@ss/word", "p%40ss", "TOKEN9876", "bob@")) {
            assertFalse(s.contains(secret), secret + " in " + s);
        }
        assertTrue(s.contains("https://***@git.example.org/r.git: not authorized"), s);
        assertTrue(s.contains("https://***@other.host/x.git: cannot open"), s);
        assertEquals("fetch failed: no such host", UrlCredentials.scrub("fetch failed: no such host",
                List.of("https://x:ab@h/r")), "short secrets are not searched for in text");
    }
}
