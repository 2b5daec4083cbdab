package org.ktestci.schema.results;

import org.ktestci.schema.status.Status;

/** One entry of a commit's results blob: result key, status, seconds, unix start time (0 = unknown). */
public record ResultEntry(String name, Status status, long duration, long starttime) {
    public ResultEntry {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("result entry needs a name");
        }
        if (status == null) {
            throw new IllegalArgumentException("result entry " + name + " needs a status");
        }
    }
}
