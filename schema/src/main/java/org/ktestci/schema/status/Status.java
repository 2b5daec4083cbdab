package org.ktestci.schema.status;

/**
 * A result key's state (storage.md §2.3). Declaration order equals the capnp ordinal of
 * {@code TestResult.Status}, so {@link #ordinal()} is the wire value.
 */
public enum Status {
    INPROGRESS("In progress", "inprogress", "table-secondary"),
    PASSED("Passed", "passed", "table-success"),
    FAILED("Failed", "failed", "table-danger"),
    NOTRUN("Not run", "notrun", "table-secondary"),
    FAILED_TO_RUN("Failed to run", "failedToRun", "table-secondary"),
    UNKNOWN("Unknown", "unknown", "table-secondary");

    private final String display;
    private final String jsonCode;
    private final String rowClass;

    Status(String display, String jsonCode, String rowClass) {
        this.display = display;
        this.jsonCode = jsonCode;
        this.rowClass = rowClass;
    }

    /** The string ktest shows and writes into {@code format=json} views, e.g. {@code Failed to run}. */
    public String display() {
        return display;
    }

    /** The code used by {@code /api/v1}, e.g. {@code failedToRun}. */
    public String jsonCode() {
        return jsonCode;
    }

    /** The Bootstrap row class of the HTML views. */
    public String rowClass() {
        return rowClass;
    }

    /** Passed, Failed, Not run and Failed to run are final; In progress and Unknown are not. */
    public boolean isVerdict() {
        return this == PASSED || this == FAILED || this == NOTRUN || this == FAILED_TO_RUN;
    }

    public static Status fromOrdinal(int ordinal) {
        Status[] all = values();
        return ordinal >= 0 && ordinal < all.length ? all[ordinal] : UNKNOWN;
    }

    public static Status fromJsonCode(String code) {
        for (Status s : values()) {
            if (s.jsonCode.equals(code)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status code: " + code);
    }
}
