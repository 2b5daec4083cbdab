package org.ktestci.schema.events;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard pages an event points at, under the public URL ({@code ci_url}, which includes
 * {@code http.base_path}; a trailing slash is dropped). Every component is percent-encoded, so a hostile branch name
 * or result key cannot leave its query parameter or path segment.
 */
public record EventLinks(String root) {
    public EventLinks {
        root = root.replaceAll("/+$", "");
    }

    /** The commit page, for this branch. */
    public String commit(String branch, String sha) {
        return root + "/ci?commit=" + enc(sha) + "&branch=" + enc(branch);
    }

    /** The test's history on the branch (the branch page filtered to the key). */
    public String test(String branch, String key) {
        return root + "/ci?branch=" + enc(branch) + "&test=" + enc(key);
    }

    /** The result's log. */
    public String log(String sha, String key) {
        return root + "/c/" + enc(sha) + "/" + enc(key) + "/log.br";
    }

    /** The branch page. */
    public String branch(String branch) {
        return root + "/ci?branch=" + enc(branch);
    }

    /** The branch's feed. */
    public String feed(String branch) {
        return root + "/ci/feed?branch=" + enc(branch);
    }

    /** One URL component, keeping only RFC 3986 unreserved characters. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                .replace("%7E", "~");
    }
}
