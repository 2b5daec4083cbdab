package org.ktestci.worker.agent;

import java.time.Duration;

/**
 * Whether a running lease is still held by the coordinator, judged from the answers to its heartbeats
 * (protocol.md §4.1): heartbeats unanswered for {@code lease_timeout} mean the lease is certainly gone. Counted
 * from a heartbeat actually sent, so a worker that was itself frozen asks again before it gives up, and not at
 * all while no coordinator is reachable. Plain state of the slot's actor.
 */
final class HeartbeatWatch {
    /** What to do at a heartbeat tick. */
    enum Tick { SEND, GIVE_UP }

    private Duration interval;
    private Duration leaseTimeout;
    private boolean coordinatorPresent = true;
    /** When the oldest heartbeat still without a valid answer was sent (0: all answered). */
    private long unansweredSince;
    private long lastTick;

    /**
     * {@code interval}: the worker's own setting until the coordinator's {@code HelloAck} says otherwise;
     * {@code leaseTimeout}: likewise.
     */
    HeartbeatWatch(Duration interval, Duration leaseTimeout) {
        this.interval = interval;
        this.leaseTimeout = leaseTimeout;
    }

    Duration interval() {
        return interval;
    }

    Duration leaseTimeout() {
        return leaseTimeout;
    }

    /** The coordinator's settings, from {@code HelloAck}. Returns whether the heartbeat period changed. */
    boolean timing(Duration newInterval, Duration newLeaseTimeout) {
        leaseTimeout = newLeaseTimeout;
        boolean changed = !newInterval.equals(interval);
        interval = newInterval;
        return changed;
    }

    /**
     * Whether a coordinator gateway is reachable. Without one, unanswered heartbeats say nothing about the lease:
     * a coordinator failing over or restarting keeps its leases for {@code lease_timeout} after it is back
     * (scheduling.md §7).
     */
    void presence(boolean present) {
        if (present != coordinatorPresent) {
            coordinatorPresent = present;
            unansweredSince = 0; // counted afresh from the next heartbeat a reachable coordinator can answer
        }
    }

    /** A valid answer came (or a new run or coordinator starts the count afresh). */
    void answered() {
        unansweredSince = 0;
    }

    /**
     * At a heartbeat tick at {@code now} (epoch ms): {@link Tick#GIVE_UP} when heartbeats went unanswered for
     * longer than {@code lease_timeout}, else {@link Tick#SEND}, and the heartbeat sent now counts as asked.
     * {@code silenced}: the run is already being stopped without results, nothing to give up.
     */
    Tick tick(long now, boolean silenced) {
        if (lastTick > 0 && now - lastTick > 3 * interval.toMillis()) {
            unansweredSince = 0; // this process was frozen (SIGSTOP, swapping): ask again before giving up
        }
        lastTick = now;
        if (!coordinatorPresent) {
            unansweredSince = 0; // nobody to answer: a failover or restart, not the lease's end
        } else if (!silenced && unansweredSince > 0 && now - unansweredSince > leaseTimeout.toMillis()) {
            return Tick.GIVE_UP;
        }
        if (unansweredSince == 0 && coordinatorPresent) {
            unansweredSince = now;
        }
        return Tick.SEND;
    }
}
