package org.ktestci.dashboard;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code Range: bytes=…} request over a file of known size (RFC 9110 §14). Only a single range is honoured;
 * a header we do not understand (several ranges, another unit, bad syntax) is ignored, as the RFC allows.
 */
sealed interface ByteRange {
    Pattern SINGLE = Pattern.compile("^bytes=(\\d{0,18})-(\\d{0,18})$");

    /** Serve the whole file (no header, or one to ignore). */
    record Whole() implements ByteRange {
    }

    /** Bytes {@code first..last}, both inclusive. */
    record Slice(long first, long last) implements ByteRange {
        long length() {
            return last - first + 1;
        }

        String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** 416: the range starts beyond the end (or asks for a zero-length suffix). */
    record Unsatisfiable() implements ByteRange {
    }

    static ByteRange of(Optional<String> header, long size) {
        if (header.isEmpty()) {
            return new Whole();
        }
        Matcher m = SINGLE.matcher(header.get().trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new Whole();
        }
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            return suffix == 0 || size == 0 ? new Unsatisfiable() : new Slice(Math.max(0, size - suffix), size - 1);
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
            return new Whole(); // syntactically invalid (last < first): ignored
        }
        return first >= size ? new Unsatisfiable() : new Slice(first, last);
    }
}
