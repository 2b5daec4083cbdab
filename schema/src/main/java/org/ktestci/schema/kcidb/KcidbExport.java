package org.ktestci.schema.kcidb;

import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One commit's results as KCIDB I/O v5 (issue 14 item 7): a checkout, a build per kernel and a test per result,
 * so they can be submitted to KernelCI's database. Ids are {@code <origin>:<sha>}, {@code <origin>:<sha>:<kernel>}
 * ({@code ""} = the kernel built from the checkout) and {@code <origin>:<sha>:<key>}; statuses map Passed → PASS,
 * Failed → FAIL, Not run → SKIP, Failed to run → ERROR, Unknown → MISS; In progress is left out. KCIDB paths
 * allow only {@code [A-Za-z0-9_-]} between dots, so a test's {@code path} is its result key with every other
 * character written as {@code _}; the key itself is in {@code misc.result_key}.
 */
public final class KcidbExport {
    public static final int MAJOR = 5;
    public static final int MINOR = 3;

    /** Where the checkout came from, as far as known ({@code ""} = unknown). */
    public record Checkout(String repositoryUrl, String branch, String treeName) {
        public static final Checkout UNKNOWN = new Checkout("", "", "");

        /** A tracked branch's fetch source; any {@code user:password@} of the URL is dropped. */
        public static Checkout ofBranch(BranchConfig b) {
            String url = b.fetchUrl().replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
            String ref = b.fetchRef().startsWith("refs/heads/") ? b.fetchRef().substring("refs/heads/".length())
                    : b.fetchRef();
            return new Checkout(url, ref, b.name());
        }
    }

    /** Journal-side facts of a result, where known. */
    public record RunPlace(String host, int slot, String arch) {}

    private KcidbExport() {
    }

    /**
     * @param baseUrl absolute URL of the dashboard (base path included, no trailing {@code /}): log URLs point at
     *                its {@code /c/} tree
     */
    public static Map<String, Object> export(String origin, String baseUrl, String sha, String message,
                                             Checkout source, List<ResultEntry> entries,
                                             Function<String, String> kernelOf, Map<String, RunPlace> places) {
        String checkoutId = origin + ":" + sha;
        Map<String, Object> checkout = new LinkedHashMap<>();
        checkout.put("id", checkoutId);
        checkout.put("origin", origin);
        checkout.put("git_commit_hash", sha);
        if (source.repositoryUrl().startsWith("https://")) {
            checkout.put("git_repository_url", source.repositoryUrl()); // KCIDB wants https:// URLs only
        }
        if (!source.branch().isEmpty()) {
            checkout.put("git_repository_branch", source.branch());
        }
        if (!source.treeName().isEmpty()) {
            checkout.put("tree_name", source.treeName());
        }
        if (!message.isEmpty()) {
            checkout.put("git_commit_message", message);
            checkout.put("comment", message.lines().findFirst().orElse(""));
        }
        checkout.put("valid", true);

        Map<String, List<String>> archesByKernel = new TreeMap<>();
        List<Map<String, Object>> tests = new ArrayList<>();
        for (ResultEntry e : entries) {
            Optional<String> status = status(e.status());
            if (status.isEmpty()) {
                continue;
            }
            String kernel = kernelOf.apply(e.name());
            RunPlace place = places.get(e.name());
            List<String> arches = archesByKernel.computeIfAbsent(kernel, k -> new ArrayList<>());
            if (place != null && !place.arch().isEmpty() && !arches.contains(place.arch())) {
                arches.add(place.arch());
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", checkoutId + ":" + e.name());
            t.put("build_id", buildId(checkoutId, kernel));
            t.put("origin", origin);
            t.put("path", path(e.name()));
            t.put("status", status.get());
            if (e.starttime() > 0) {
                t.put("start_time", Instant.ofEpochSecond(e.starttime()).toString());
            }
            if (e.status() != Status.FAILED_TO_RUN) {
                t.put("duration", e.duration());
            }
            t.put("log_url", baseUrl + "/c/" + sha + "/" + encode(e.name())
                    + (e.status() == Status.FAILED_TO_RUN ? "/full_log.br" : "/log.br"));
            if (place != null) {
                Map<String, Object> env = new LinkedHashMap<>();
                env.put("comment", place.host() + ":" + place.slot() + (place.arch().isEmpty() ? "" : " " + place.arch()));
                env.put("misc", Map.of("host", place.host(), "slot", place.slot(), "arch", place.arch()));
                t.put("environment", env);
            }
            t.put("misc", Map.of("result_key", e.name()));
            tests.add(t);
        }
        List<Map<String, Object>> builds = new ArrayList<>();
        archesByKernel.forEach((kernel, arches) -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", buildId(checkoutId, kernel));
            b.put("origin", origin);
            b.put("checkout_id", checkoutId);
            b.put("comment", kernel.isEmpty() ? "kernel built from the checkout" : "kernel " + kernel);
            if (!kernel.isEmpty()) {
                b.put("config_name", kernel);
            }
            if (arches.size() == 1) {
                b.put("architecture", arches.get(0));
            }
            builds.add(b);
        });
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", Map.of("major", MAJOR, "minor", MINOR));
        doc.put("checkouts", List.of(checkout));
        doc.put("builds", builds);
        doc.put("tests", tests);
        return doc;
    }

    private static String buildId(String checkoutId, String kernel) {
        return checkoutId + ":" + kernel;
    }

    /** The KCIDB status of a result; empty for In progress (not exported). */
    public static Optional<String> status(Status s) {
        return switch (s) {
            case PASSED -> Optional.of("PASS");
            case FAILED -> Optional.of("FAIL");
            case NOTRUN -> Optional.of("SKIP");
            case FAILED_TO_RUN -> Optional.of("ERROR");
            case UNKNOWN -> Optional.of("MISS");
            case INPROGRESS -> Optional.empty();
        };
    }

    /** A result key as a KCIDB path: dot-separated non-empty segments of {@code [A-Za-z0-9_-]}. */
    public static String path(String key) {
        StringBuilder b = new StringBuilder();
        for (String seg : key.split("\\.", -1)) {
            if (b.length() > 0) {
                b.append('.');
            }
            String clean = seg.replaceAll("[^A-Za-z0-9_-]", "_");
            b.append(clean.isEmpty() ? "_" : clean);
        }
        return b.toString();
    }

    /** RFC 3986: every byte outside the unreserved set percent-encoded, as the dashboard's links are. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }
}
