package org.ktestci.schema.kcidb;

import org.ktestci.schema.config.Arch;
import org.ktestci.schema.config.CiConfig;
import org.ktestci.schema.config.TestGroupConfig;
import org.ktestci.schema.keys.ResultKeys;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which kernel a result key ran on. Keys are never parsed back (scheduling.md §1.2), so the basenames the
 * configured groups produce are recomputed and the longest one the key starts with names the kernel; a key of a
 * group no longer configured falls back to the segment after its first {@code @} (the kernel with {@code /}
 * written as {@code _}), or none.
 */
public final class KeyKernels {
    private final Map<String, String> kernelByBasename = new HashMap<>();

    /** The basenames of every configured test group. */
    public static KeyKernels of(CiConfig config) {
        KeyKernels k = new KeyKernels();
        for (TestGroupConfig g : config.testGroups().values()) {
            k.add(g.tests(), g.kernels(), g.env(), g.arch().stream().map(Arch::id).toList());
        }
        return k;
    }

    /** Adds a group's basenames: each test × kernel ({@code ""} = built from source) × arch id. */
    public KeyKernels add(List<String> tests, List<String> kernels, Map<String, String> env, List<String> arches) {
        List<String> ks = kernels.isEmpty() ? List.of("") : kernels;
        List<String> archIds = arches.size() >= 2 ? arches : List.of("");
        String encodedEnv = ResultKeys.encodeEnv(env);
        for (String t : tests) {
            for (String k : ks) {
                for (String a : archIds) {
                    kernelByBasename.put(ResultKeys.basename(t, k, encodedEnv, a), k);
                }
            }
        }
        return this;
    }

    public String kernelOf(String key) {
        String best = null;
        for (Map.Entry<String, String> e : kernelByBasename.entrySet()) {
            String b = e.getKey();
            if (key.length() > b.length() && key.startsWith(b) && key.charAt(b.length()) == '.'
                    && (best == null || b.length() > best.length())) {
                best = b;
            }
        }
        return best != null ? kernelByBasename.get(best) : fallback(key);
    }

    private static String fallback(String key) {
        int at = key.indexOf('@');
        if (at < 0) {
            return "";
        }
        int next = key.indexOf('@', at + 1);
        if (next < 0) {
            return ""; // one segment, and the subtest after it: not separable
        }
        String seg = key.substring(at + 1, next);
        return seg.startsWith("ktest_") || seg.startsWith("arch=") ? "" : seg;
    }
}
