package org.ktestci.schema.git;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the credentials of fetch URLs wherever one is logged or served (http.md §5.1, docs/security.md): the
 * whole user-info part of a {@code scheme://user-info@host/…} URL becomes {@code ***}, whether it is
 * {@code user:password}, a bare token ({@code https://TOKEN@host/…}) or a password with a raw {@code @} or
 * {@code /} in it. When in doubt more is hidden, never less: a URL whose authority is not a plain
 * {@code host[:port]} is masked up to its last {@code @}.
 */
public final class UrlCredentials {
    public static final String MASK = "***";
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)(.*)$", Pattern.DOTALL);
    /** A URL inside free text (an exception message): a scheme, then everything up to white space or a quote. */
    private static final Pattern URL_IN_TEXT = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`]+");
    private static final Pattern PLAIN_AUTHORITY = Pattern.compile("^([A-Za-z0-9._~-]+|\\[[0-9A-Fa-f:.]+])(:[0-9]*)?$");
    /** Shorter secrets are not searched for in free text: they would garble it and guard little. */
    private static final int MIN_SCRUBBED_SECRET = 4;

    private UrlCredentials() {
    }

    /** {@code url} with its user-info replaced by {@value #MASK}; unchanged when it has none (or is a path). */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = SCHEME.matcher(url);
        if (!m.matches()) {
            return url;
        }
        String rest = m.group(2);
        int at = actorAddress(m.group(1)) ? -1 : userInfoEnd(rest);
        return at < 0 ? url : m.group(1) + MASK + rest.substring(at);
    }

    /** {@code pekko://ktest-ci@host:port}: the part before '@' names the actor system, it is no credential. */
    private static boolean actorAddress(String schemePart) {
        String scheme = schemePart.substring(0, schemePart.length() - 3).toLowerCase(Locale.ROOT);
        return scheme.equals("pekko") || scheme.equals("akka");
    }

    /** Whether {@code url} carries user-info (a user, a token or a password). */
    public static boolean hasUserInfo(String url) {
        Matcher m = url == null ? null : SCHEME.matcher(url);
        return m != null && m.matches() && !actorAddress(m.group(1)) && userInfoEnd(m.group(2)) >= 0;
    }

    /**
     * {@code text} (an error message, a log line) with every URL in it masked, and every secret of
     * {@code urls} (their user-info, raw and percent-decoded, and its user and password parts) replaced by
     * {@value #MASK}, so a library that prints a URL in pieces or decoded leaks nothing either.
     */
    public static String scrub(String text, Collection<String> urls) {
        if (text == null) {
            return null;
        }
        Matcher m = URL_IN_TEXT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(mask(m.group())));
        }
        m.appendTail(sb);
        String out = sb.toString();
        List<String> secrets = new ArrayList<>(secrets(urls));
        secrets.sort(Comparator.comparingInt(String::length).reversed()); // a password before its own pieces
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    public static String scrub(String text, String url) {
        return scrub(text, List.of(url));
    }

    /** The user-info of each URL and its parts, raw and decoded, as long as they are worth searching for. */
    private static Set<String> secrets(Collection<String> urls) {
        Set<String> out = new LinkedHashSet<>();
        for (String url : urls) {
            Matcher m = url == null ? null : SCHEME.matcher(url);
            if (m == null || !m.matches() || actorAddress(m.group(1))) {
                continue;
            }
            int at = userInfoEnd(m.group(2));
            if (at < 0) {
                continue;
            }
            String info = m.group(2).substring(0, at);
            List<String> parts = new ArrayList<>(List.of(info));
            int colon = info.indexOf(':');
            if (colon >= 0) {
                parts.add(info.substring(colon + 1)); // the password; the user name alone is no secret
            }
            for (String p : parts) {
                add(out, p);
                add(out, decode(p));
            }
        }
        return out;
    }

    private static void add(Set<String> out, String secret) {
        if (secret != null && secret.length() >= MIN_SCRUBBED_SECRET) {
            out.add(secret);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * In the part after {@code scheme://}: the index just past the user-info (at its {@code @}), or -1 when there
     * is none. The authority normally ends at the first {@code /}, {@code ?} or {@code #}; if that part is a
     * plain host[:port] there are no credentials. Otherwise (an {@code @} in it, or a password with a raw
     * {@code /} that cut it short) everything up to the last {@code @} of the URL is taken as user-info. An empty
     * authority ({@code file:///srv/a@b}) has none.
     */
    private static int userInfoEnd(String rest) {
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        if (authority.isEmpty() || authority.indexOf('@') < 0 && PLAIN_AUTHORITY.matcher(authority).matches()) {
            return -1;
        }
        int at = rest.lastIndexOf('@');
        return at < 0 ? -1 : at;
    }
}
