package org.ktestci.dashboard;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** The live parts of {@code /api/v1}: workers, queue (http.md §5.5, §5.6) and the event streams (§7). */
final class LiveApi {
    private final CiQueries queries;

    LiveApi(CiQueries queries) {
        this.queries = queries;
    }

    Reply workers() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hosts", workersDoc(queries.workers()));
        return Reply.json(200, doc);
    }

    Reply queue() {
        return Reply.json(200, queueDoc(queries.queue()));
    }

    /** {@code ?status&format=json}: both documents (§3). */
    Map<String, Object> statusDoc() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("queue", queueDoc(queries.queue()));
        Map<String, Object> workers = new LinkedHashMap<>();
        workers.put("hosts", workersDoc(queries.workers()));
        doc.put("workers", workers);
        return doc;
    }

    static List<Map<String, Object>> workersDoc(List<WorkerStatus> hosts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (WorkerStatus h : hosts) {
            out.add(hostDoc(h));
        }
        return out;
    }

    static Map<String, Object> hostDoc(WorkerStatus h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", h.host());
        m.put("arch", h.arch());
        m.put("slots", h.slots());
        m.put("slots_source", h.slotsSource());
        m.put("state", h.state());
        m.put("quarantined_until", h.quarantinedUntil().map(LiveApi::time).orElse(null));
        m.put("consecutive_failures", h.consecutiveFailures());
        m.put("protocol_version", h.protocolVersion().orElse(null));
        m.put("agent_version", h.agentVersion().orElse(null));
        m.put("ktest_revision", h.ktestRevision().orElse(null));
        m.put("kvm", h.kvm().orElse(null));
        m.put("kvm_reason", h.kvmReason().orElse(null));
        m.put("memory_mib", h.memoryMib().orElse(null));
        m.put("runner", h.runner().orElse(null));
        List<Map<String, Object>> slots = new ArrayList<>();
        for (WorkerStatus.Slot s : h.slotList()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("slot", s.slot());
            sm.put("name", s.name());
            sm.put("state", s.state());
            sm.put("lease", s.lease().map(LiveApi::leaseDoc).orElse(null));
            slots.add(sm);
        }
        m.put("slot_list", slots);
        return m;
    }

    private static Map<String, Object> leaseDoc(WorkerStatus.Lease l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lease_id", l.leaseId());
        m.put("epoch", l.epoch());
        m.put("branch", l.branch());
        m.put("commit", l.commit());
        m.put("test", l.test());
        m.put("kernel", l.kernel());
        m.put("env", l.env());
        m.put("arch", l.arch());
        m.put("subtests", l.subtests());
        m.put("subtest_keys", l.subtestKeys());
        m.put("current_subtest", l.currentSubtest().isEmpty() ? null : l.currentSubtest());
        m.put("started_at", time(l.startedAt()));
        m.put("elapsed_secs", l.elapsedSecs());
        m.put("attempt", l.attempt());
        m.put("last_heartbeat_secs_ago", l.lastHeartbeatSecsAgo().orElse(null));
        return m;
    }

    static Map<String, Object> queueDoc(QueueStatus q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", q.window());
        m.put("refill_at", q.refillAt());
        m.put("pending", q.pending());
        m.put("leased", q.leased());
        m.put("last_refill", q.lastRefill().map(r -> {
            Map<String, Object> lr = new LinkedHashMap<>();
            lr.put("at", time(r.at()));
            lr.put("trigger", r.trigger());
            lr.put("desired", r.desired());
            lr.put("added", r.added());
            Map<String, Object> removed = new LinkedHashMap<>();
            for (String reason : List.of("left_branches", "displaced", "not_desired")) {
                removed.put(reason, r.removed().getOrDefault(reason, 0));
            }
            lr.put("removed", removed);
            lr.put("duration_ms", r.durationMs());
            return (Object) lr;
        }).orElse(null));
        m.put("pending_by_branch", q.pendingByBranch());
        m.put("fairshare", q.fairshare());
        m.put("unschedulable", q.unschedulable());
        Map<String, Object> recent = new LinkedHashMap<>();
        recent.put("completed", q.recentCompleted());
        recent.put("failed", q.recentFailed());
        m.put("recent", recent);
        List<Map<String, Object>> listing = new ArrayList<>();
        for (QueueStatus.ListingError e : q.listingErrors()) {
            Map<String, Object> le = new LinkedHashMap<>();
            le.put("test", e.test());
            le.put("error", e.error());
            le.put("at", time(e.at()));
            listing.add(le);
        }
        m.put("listing_errors", listing);
        m.put("config_errors", q.configErrors());
        m.put("quarantined_hosts", q.quarantinedHosts());
        return m;
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code /api/v1/events}: filters checked before the stream starts, so a bad one is a plain 400. */
    Reply events(RequestInfo req) {
        Set<String> types = new LinkedHashSet<>(EventHub.TYPES);
        Optional<String> rawTypes = req.param("types").filter(t -> !t.isEmpty());
        if (rawTypes.isPresent()) {
            types.clear();
            for (String t : rawTypes.get().split(",")) {
                if (!EventHub.TYPES.contains(t)) {
                    throw HttpError.badRequest("unknown event type " + t);
                }
                types.add(t);
            }
        }
        Optional<String> branch = req.param("branch").filter(b -> !b.isEmpty());
        Optional<String> commit = req.param("commit").filter(c -> !c.isEmpty());
        Predicate<EventHub.Event> filter = e -> types.contains(e.type())
                && (commit.isEmpty() || !COMMIT_FILTERED.contains(e.type()) || commit.equals(e.commit()))
                && (branch.isEmpty() || !e.type().equals("verdict") || e.branches().contains(branch.get()));
        Optional<String> lastId = req.header("last-event-id").filter(s -> !s.isEmpty());
        EventHub hub = liveHub();
        return Reply.eventStream(subscriber -> hub.subscribe(lastId, filter, subscriber), hub::unsubscribe);
    }

    /** A node without the coordinator has no events to stream: 503 rather than a stream that stays silent. */
    private EventHub liveHub() {
        EventHub hub = queries.events();
        if (hub == CiQueries.NO_EVENTS) {
            throw new CiUnavailable("no coordinator on this node: live events are served by the coordinator");
        }
        return hub;
    }

    private static final Set<String> COMMIT_FILTERED = Set.of("verdict", "started", "lease");

    /** {@code /api/v1/leases/{id}/log}: 404 unless the lease runs now. */
    Reply leaseLog(String leaseId) {
        EventHub hub = liveHub();
        if (!hub.leaseRunning(leaseId)) {
            throw HttpError.notFound("Lease " + leaseId + " is not running");
        }
        return Reply.eventStream(subscriber -> hub.followLease(leaseId, subscriber), hub::unsubscribe);
    }
}
