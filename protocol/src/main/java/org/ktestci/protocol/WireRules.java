package org.ktestci.protocol;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The value rules both ends apply to every field of a wire message before acting on it (security.md, "Cluster
 * protocol"). Names follow the spec's charsets (config.md §3–§6, scheduling.md §1.2); numbers have ranges no
 * honest peer leaves. Every predicate is false for {@code null}.
 */
public final class WireRules {
    /** config.md §6.1/§6.3: a host runs 1..256 slots. */
    public static final int MAX_SLOTS = 256;
    /**
     * Epochs count leases from 1; no coordinator reaches this, so a larger one is forged (it would lock a slot
     * that refuses epochs not above the last one, protocol.md §4.2).
     */
    public static final long MAX_EPOCH = 1L << 53;
    /** Status lines, reasons shown to people, versions: one line of at most this many characters. */
    public static final int MAX_LINE = 4096;
    /** A subtest's reproduction info ({@code SubtestFinished.run}): the qemu command line and digests. */
    public static final int MAX_RUN_INFO = 64 * 1024;
    /** Entries of any list in a message (subtests of a batch, leases of a hello, iterations). */
    public static final int MAX_LIST = 65_536;
    /** Bytes of a brotli artifact: far above what {@code worker.log_cap_mib} leaves after compression. */
    public static final long MAX_ARTIFACT_BYTES = 4L << 30;
    public static final Set<String> ARCHES = Set.of("x86_64", "aarch64");

    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.-]{1,253}$");
    private static final Pattern LEASE_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    /** scheduling.md §1.2: test, subtest, kernel, env and arch segments ({@code /} became {@code .} or {@code _}). */
    private static final Pattern RESULT_KEY = Pattern.compile("^[A-Za-z0-9._+:,=@-]{1,255}$");
    private static final Pattern REASON = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");

    private WireRules() {
    }

    /** A worker host name ({@code worker.host}, config.md §6.3); also safe as part of an actor name. */
    public static boolean host(String s) {
        return s != null && HOST.matcher(s).matches() && !s.equals(".") && !s.equals("..");
    }

    /** A lease id: the coordinator's random UUIDs (letters, digits and dashes). */
    public static boolean leaseId(String s) {
        return s != null && LEASE_ID.matcher(s).matches();
    }

    public static boolean epoch(long epoch) {
        return epoch >= 0 && epoch <= MAX_EPOCH;
    }

    /** A result key: one file name, never {@code .} or {@code ..}, so it resolves inside its commit's directory. */
    public static boolean resultKey(String s) {
        return s != null && RESULT_KEY.matcher(s).matches() && !s.equals(".") && !s.equals("..");
    }

    /** A result key or empty (heartbeats before the first subtest, live chunks between subtests). */
    public static boolean resultKeyOrEmpty(String s) {
        return "".equals(s) || resultKey(s);
    }

    /** A machine-readable reason or outcome word ({@code stale_epoch}, {@code no_kernel}, ...). */
    public static boolean reason(String s) {
        return s != null && REASON.matcher(s).matches();
    }

    public static boolean reasonOrEmpty(String s) {
        return "".equals(s) || reason(s);
    }

    /** A wire enum's value that this release knows: not null (absent) and not {@code UNKNOWN} (any other string). */
    public static boolean known(WireEnum value) {
        return value != null && value.known();
    }

    public static boolean arch(String s) {
        return oneOf(ARCHES, s);
    }

    /** {@code s} is one of {@code values} (null is none; {@code Set.of(..).contains(null)} would throw). */
    public static boolean oneOf(Set<String> values, String s) {
        return s != null && values.contains(s);
    }

    /** One line of text of at most {@code max} characters: no line break and no NUL. */
    public static boolean line(String s, int max) {
        if (s == null || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** Text without NUL of at most {@code max} characters (line breaks allowed). */
    public static boolean text(String s, int max) {
        return s != null && s.length() <= max && s.indexOf(0) < 0;
    }

    /**
     * A wire enum's value for a problem text: its wire string, or {@code unknown} when the peer sent a string no
     * constant has (that string itself is gone once decoded; the message names the field).
     */
    public static String quote(WireEnum value) {
        if (value == null) {
            return "null";
        }
        return value.known() ? quote((Object) value.wireName()) : "unknown";
    }

    /** {@code value} made safe for a log line: control characters escaped, at most 80 characters. */
    public static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(s.length() > 79 ? "…\"" : "\"").toString();
    }
}
