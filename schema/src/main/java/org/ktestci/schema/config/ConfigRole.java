package org.ktestci.schema.config;

/** Which program reads the file; each requires only the keys it uses (config.md §1). */
public enum ConfigRole {
    COORDINATOR, WORKER, COORDINATOR_WITH_WORKER, CI_STATUS,
    /** A worker told its coordinator on the command line ({@code --coordinator HOST:PORT}): no seed needed. */
    WORKER_WITH_SEED;

    boolean coordinator() {
        return this == COORDINATOR || this == COORDINATOR_WITH_WORKER;
    }

    boolean worker() {
        return this == WORKER || this == COORDINATOR_WITH_WORKER || this == WORKER_WITH_SEED;
    }

    /** Whether the file must name a seed node (ci_host or cluster.seed_nodes). */
    boolean needsSeed() {
        return this == WORKER || this == COORDINATOR_WITH_WORKER;
    }
}
