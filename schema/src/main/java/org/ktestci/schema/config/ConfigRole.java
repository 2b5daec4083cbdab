package org.ktestci.schema.config;

/** Which program reads the file; each requires only the keys it uses (config.md §1). */
public enum ConfigRole {
    COORDINATOR, WORKER, COORDINATOR_WITH_WORKER, CI_STATUS;

    boolean coordinator() {
        return this == COORDINATOR || this == COORDINATOR_WITH_WORKER;
    }

    boolean worker() {
        return this == WORKER || this == COORDINATOR_WITH_WORKER;
    }
}
