package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Map;

/**
 * Why a lease, or one of its subtests, ended without a verdict, and {@code completed} when it did not
 * (scheduling.md §8): {@code BatchFinished.reason} and {@code Unreached.reason} from the worker,
 * {@code RevokeLease.reason} from the coordinator. Which of them count against a job or a host is the
 * coordinator's policy ({@code FailureReasons}).
 */
public enum LeaseEndReason implements WireEnum {
    /** No reason: a {@code COMPLETED} batch's {@code reason} is empty. */
    NONE(""),
    /** The lease ran to its end (the coordinator's word for a completed batch). */
    COMPLETED("completed"),
    ARCH_MISMATCH("arch_mismatch"),
    /** Raised by the coordinator: the worker's cluster member went down. */
    MEMBER_DOWN("member_down"),
    /** Raised by the coordinator: no heartbeat within {@code lease_timeout}. */
    LEASE_TIMEOUT("lease_timeout"),
    /** Raised by the coordinator: the worker did not take the batch in time, or refused it. */
    DISPATCH_TIMEOUT("dispatch_timeout"),
    AGENT_ERROR("agent_error"),
    DISK_FULL("disk_full"),
    MEMORY_UNAVAILABLE("memory_unavailable"),
    DEPS_FAILED("deps_failed"),
    NO_KERNEL("no_kernel"),
    RUNNER_FAILED("runner_failed"),
    /** The slot's VM userspace is missing or unreadable: a host fault, never the commit's. */
    NO_ROOT_IMAGE("no_root_image"),
    /** Commit-side: the commit could not be fetched. */
    CHECKOUT_FAILED("checkout_failed"),
    /** Commit-side: no subtest was reached twice (the kernel does not build or boot). */
    ZERO_PROGRESS("zero_progress"),
    /** Per subtest: this worker's test does not list it. */
    SUBTEST_NOT_FOUND("subtest_not_found"),
    /** Per subtest, raised by the coordinator: its status line parsed as Unknown. */
    UNKNOWN_STATUS("unknown_status"),
    /** Raised by the coordinator: not resumed within {@code lease_timeout} after a failover. */
    COORDINATOR_FAILOVER("coordinator_failover"),
    /** The worker is stopping (its refusal {@code draining}, or its own abort). */
    WORKER_SHUTDOWN("worker_shutdown"),
    /** An administrator revoked the lease. */
    ADMIN_REVOKE("admin_revoke"),
    /** Any other string: never sent by this release, refused as malformed. */
    UNKNOWN("?");

    private static final Map<String, LeaseEndReason> BY_WIRE = WireEnum.index(values());

    private final String wireName;

    LeaseEndReason(String wireName) {
        this.wireName = wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static LeaseEndReason fromWire(String wire) {
        return WireEnum.decode(BY_WIRE, wire, UNKNOWN);
    }

    @Override
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The wire string, so log lines read as they did when these fields were strings. */
    @Override
    public String toString() {
        return wireName;
    }

    @Override
    public boolean known() {
        return this != UNKNOWN;
    }
}
