package org.ktestci.schema.keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Result-key derivation (scheduling.md §1.2). The key names a subtest's directory in {@code output_dir}
 * and its entry in the commit's capnp blob, so it must be stable byte for byte.
 */
public final class ResultKeys {
    private static final String KTEST_SUFFIX = ".ktest";

    private ResultKeys() {
    }

    /** {@code k=v} pairs joined by {@code ,}, sorted by key in byte order; {@code ""} for no pairs. */
    public static String encodeEnv(Map<String, String> env) {
        List<String> keys = new ArrayList<>(env.keySet());
        keys.sort(Utf8ByteOrder.COMPARATOR);
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(env.get(k));
        }
        return sb.toString();
    }

    /**
     * Everything but the subtest: test path without {@code .ktest} with {@code /}→{@code .}, then
     * {@code @kernel} ({@code /}→{@code _}), {@code @env} and {@code @arch=<arch>} when present.
     */
    public static String basename(String test, String kernel, String encodedEnv, String archId) {
        String stem = test.endsWith(KTEST_SUFFIX) ? test.substring(0, test.length() - KTEST_SUFFIX.length()) : test;
        StringBuilder sb = new StringBuilder(stem.replace('/', '.'));
        if (!kernel.isEmpty()) {
            sb.append('@').append(kernel.replace('/', '_'));
        }
        if (!encodedEnv.isEmpty()) {
            sb.append('@').append(encodedEnv);
        }
        if (!archId.isEmpty()) {
            sb.append("@arch=").append(archId);
        }
        return sb.toString();
    }

    public static String key(String basename, String subtest) {
        return basename + "." + subtest.replace('/', '.');
    }

    public static String key(String test, String kernel, Map<String, String> env, String archId, String subtest) {
        return key(basename(test, kernel, encodeEnv(env), archId), subtest);
    }
}
