package org.ktestci.coordinator.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ktestci.coordinator.results.ResultRecord;
import org.ktestci.dashboard.EventHub;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the coordinator's actors tell live viewers (http.md §7), shaped into the event documents, given their
 * ids ({@code <incarnation>-<sequence>}) here in the singleton and sent through an outlet: straight to one
 * {@link EventHub} (a single JVM, tests), or (in a cluster) to the pub-sub topic every coordinator node's
 * {@link LiveRelay} reads. Publishing never blocks; the branches of a verdict's commit are looked up
 * through {@code branchesOf} (a git walk) at most every {@value #BRANCHES_TTL_MILLIS} ms per commit, from the
 * projector's blocking thread.
 */
public final class LiveEvents {
    public static final LiveEvents NONE = new LiveEvents(new EventHub(), sha -> List.of());
    static final long BRANCHES_TTL_MILLIS = 30_000;

    private record Branches(List<String> names, long at) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventHub hub;
    private final Function<String, List<String>> branchesOf;
    private final Map<String, Branches> branchCache = new ConcurrentHashMap<>();
    private final Consumer<LiveMessage> outlet;
    private String incarnation = "00000000";
    private long seq;

    /** Every message is delivered to {@code hub} in this JVM. */
    public LiveEvents(EventHub hub, Function<String, List<String>> branchesOf) {
        this.hub = hub;
        this.branchesOf = branchesOf;
        this.outlet = this::deliverHere;
    }

    /**
     * Every message goes to {@code relay} (the cluster topic), which delivers to each coordinator node's hub;
     * {@code hub} is this node's.
     */
    public LiveEvents(EventHub hub, Consumer<LiveMessage> relay, Function<String, List<String>> branchesOf) {
        this.hub = hub;
        this.branchesOf = branchesOf;
        this.outlet = relay;
    }

    public EventHub hub() {
        return hub;
    }

    /** The singleton started with this incarnation: ids restart at 1 under it. */
    public synchronized void incarnation(int value) {
        String hex = String.format("%08x", value);
        if (!hex.equals(incarnation)) {
            incarnation = hex;
            seq = 0;
        }
    }

    private void deliverHere(LiveMessage m) {
        if (m instanceof LiveMessage.Event e) {
            hub.deliver(e.id(), e.type(), e.json(), Optional.ofNullable(e.commit()), e.branches());
        } else if (m instanceof LiveMessage.LeaseStarted l) {
            hub.leaseStarted(l.leaseId());
        } else if (m instanceof LiveMessage.LeaseLog l) {
            hub.leaseLog(l.leaseId(), l.lines());
        } else if (m instanceof LiveMessage.LeaseClosed l) {
            hub.leaseEnded(l.leaseId());
        }
    }

    /** Lease-log messages share the events' lock, so a lease's lines never overtake its {@code granted}. */
    private synchronized void send(LiveMessage m) {
        outlet.accept(m);
    }

    /** Assigns the next id and sends, under one lock: the outlet sees events in id order. */
    private void publish(String type, Map<String, Object> data) {
        if (!EventHub.TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown event type " + type);
        }
        String json;
        try {
            json = JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unserializable event " + type, e);
        }
        Object commit = data.get("commit");
        @SuppressWarnings("unchecked")
        List<String> branches = data.get("branches") instanceof List<?> l ? (List<String>) l : List.of();
        synchronized (this) {
            outlet.accept(new LiveMessage.Event(incarnation + "-" + (++seq), type, json,
                    commit == null ? null : commit.toString(), branches));
        }
    }

    private static String at(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A lease as the {@code lease} SSE event shows it (http.md §7). */
    public record Lease(String leaseId, long epoch, String host, int slot, String commit, String test,
                        List<String> subtests) {}

    /** {@code event}: granted, finished, expired, revoked or rejected. */
    public void lease(Lease g, String event, String reason, long atMillis) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lease_id", g.leaseId());
        d.put("epoch", g.epoch());
        d.put("event", event);
        d.put("reason", reason);
        d.put("host", g.host());
        d.put("slot", g.slot());
        d.put("commit", g.commit());
        d.put("test", g.test());
        d.put("subtests", g.subtests());
        d.put("at", at(atMillis));
        publish("lease", d);
        if (event.equals("granted")) {
            send(new LiveMessage.LeaseStarted(g.leaseId()));
        } else {
            send(new LiveMessage.LeaseClosed(g.leaseId()));
        }
    }

    /** {@code state}: up, unreachable, quarantined or down; {@code untilMillis} 0 unless quarantined. */
    public void host(String host, String state, long untilMillis) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("host", host);
        d.put("state", state);
        d.put("until", untilMillis > 0 ? at(untilMillis) : null);
        d.put("at", at(System.currentTimeMillis()));
        publish("host", d);
    }

    public void queue(int pending, int leased, Map<String, Integer> pendingByBranch) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pending", pending);
        d.put("leased", leased);
        d.put("pending_by_branch", pendingByBranch);
        d.put("at", at(System.currentTimeMillis()));
        publish("queue", d);
    }

    public void started(String sha, String key, String host, int slot, String leaseId, long atMillis) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("commit", sha);
        d.put("name", key);
        d.put("host", host);
        d.put("slot", slot);
        d.put("lease_id", leaseId);
        d.put("at", at(atMillis));
        publish("started", d);
    }

    /** A verdict the projection has written (so the files a viewer fetches next are there). */
    public void verdict(String sha, ResultRecord r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("commit", sha);
        d.put("name", r.key());
        d.put("status", r.status().jsonCode());
        d.put("duration", r.duration());
        d.put("host", r.leaseId().isEmpty() ? null : r.host());
        d.put("slot", r.leaseId().isEmpty() ? null : r.slot());
        d.put("arch", r.leaseId().isEmpty() ? null : r.arch());
        d.put("attempt", r.leaseId().isEmpty() ? null : r.attempt());
        d.put("lease_id", r.leaseId().isEmpty() ? null : r.leaseId());
        d.put("branches", branches(sha));
        d.put("at", at(System.currentTimeMillis()));
        publish("verdict", d);
    }

    private List<String> branches(String sha) {
        long now = System.currentTimeMillis();
        Branches b = branchCache.get(sha);
        if (b == null || now - b.at() > BRANCHES_TTL_MILLIS) {
            b = new Branches(List.copyOf(branchesOf.apply(sha)), now);
            branchCache.put(sha, b);
            if (branchCache.size() > 10_000) {
                branchCache.values().removeIf(x -> now - x.at() > BRANCHES_TTL_MILLIS);
            }
        }
        return b.names();
    }

    /** Console lines of a running lease ({@code live} log chunks), for {@code /api/v1/leases/{id}/log}. */
    public void leaseLog(String leaseId, byte[] utf8) {
        String text = new String(utf8, StandardCharsets.UTF_8);
        send(new LiveMessage.LeaseLog(leaseId, List.of(text.split("\n", -1))));
    }
}
