package org.ktestci.schema.status;

/**
 * Maps the first line of a {@code status} file to a {@link Status} (storage.md §2.2).
 * Structural prefixes are tested before substrings, and {@code FAILED TO RUN} before the bare
 * {@code FAILED}, so a test name containing PASSED cannot flip a failure.
 */
public final class StatusParser {
    private StatusParser() {
    }

    public static Status parse(String content) {
        String line = firstLine(content);
        for (Status s : Status.values()) {
            if (s.display().equals(line)) {
                return s;
            }
        }
        if (line.isEmpty()) {
            return Status.INPROGRESS;
        }
        if (line.startsWith("========= PASSED ")) {
            return Status.PASSED;
        }
        if (line.startsWith("========= FAILED ")) {
            return Status.FAILED;
        }
        if (line.startsWith("========= NOTRUN")) {
            return Status.NOTRUN;
        }
        if (line.contains("FAILED TO RUN") || line.contains("NOT STARTED")) {
            return Status.FAILED_TO_RUN;
        }
        if (line.contains("IN PROGRESS")) {
            return Status.INPROGRESS;
        }
        if (line.contains("PASSED")) {
            return Status.PASSED;
        }
        if (line.contains("FAILED")) {
            return Status.FAILED;
        }
        if (line.contains("NOTRUN")) {
            return Status.NOTRUN;
        }
        return Status.UNKNOWN;
    }

    /** First line with trailing {@code \r}, {@code \n} and spaces removed. */
    static String firstLine(String content) {
        int nl = content.indexOf('\n');
        String line = nl >= 0 ? content.substring(0, nl) : content;
        int end = line.length();
        while (end > 0) {
            char c = line.charAt(end - 1);
            if (c == '\r' || c == '\n' || c == ' ') {
                end--;
            } else {
                break;
            }
        }
        return line.substring(0, end);
    }
}
