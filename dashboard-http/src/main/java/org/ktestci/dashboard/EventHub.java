package org.ktestci.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The live events of http.md §7 on this node: the coordinator singleton numbers them and every node delivers
 * them here ({@link #deliver}); SSE clients subscribe. Ids are
 * {@code <incarnation (8 hex)>-<sequence>}; the last {@value #RING} events are kept so a client reconnecting with
 * {@code Last-Event-ID} of the current incarnation gets what it missed, anyone else gets {@code reset}. A
 * subscriber that cannot take an event (its buffer is full: a slow client) is dropped.
 *
 * <p>Lease logs ({@code /api/v1/leases/{id}/log}) are a second, unbuffered channel: console lines of running
 * leases, the last {@value #LOG_TAIL} lines kept per lease for viewers that join late.
 */
public final class EventHub {
    public static final Set<String> TYPES = Set.of("verdict", "started", "lease", "host", "queue");
    static final int RING = 10_000;
    static final int LOG_TAIL = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One published event; {@code frame} is its complete SSE text. */
    public record Event(String id, String type, String frame, Optional<String> commit, List<String> branches) {}

    /** Where a client's events go; {@code offer} returns false when the client cannot take more. */
    @FunctionalInterface
    public interface Subscriber {
        boolean offer(String frame);
    }

    private record Subscription(Subscriber subscriber, Predicate<Event> filter) {}

    private final Deque<Event> ring = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private String incarnation = "00000000";
    /** Incarnations this hub moved away from, oldest first: their events are no longer taken. */
    private final LinkedHashSet<String> retired = new LinkedHashSet<>();
    private static final int RETIRED = 16;
    private long seq;

    private final Map<String, Deque<String>> logTails = new HashMap<>();
    private final Map<String, List<Subscriber>> logSubscribers = new HashMap<>();

    /**
     * Delivers an event whose id the coordinator singleton assigned (relayed to every node, so every node gives
     * it the same id). An id of another incarnation starts that incarnation's ids here; an id at or below the
     * last one delivered is a duplicate and is ignored.
     */
    public synchronized void deliver(String id, String type, String json, Optional<String> commit,
            List<String> branches) {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown event type " + type);
        }
        int dash = id.indexOf('-');
        if (dash != 8) {
            throw new IllegalArgumentException("event id is not <incarnation (8 hex)>-<sequence>: " + id);
        }
        long sequence = Long.parseLong(id.substring(dash + 1));
        String inc = id.substring(0, dash);
        if (!inc.equals(incarnation)) {
            if (retired.contains(inc)) {
                return; // a late event of a coordinator that was replaced
            }
            retired.add(incarnation);
            if (retired.size() > RETIRED) {
                retired.remove(retired.iterator().next());
            }
            incarnation = inc;
            seq = 0;
            ring.clear();
        } else if (sequence <= seq) {
            return;
        } else if (sequence > seq + 1) {
            // Relayed events are delivered at most once: what is before a gap cannot be replayed as complete, so a
            // client that saw less than this gets reset.
            ring.clear();
        }
        seq = sequence;
        Event event = new Event(id, type, "id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n", commit,
                List.copyOf(branches));
        ring.addLast(event);
        if (ring.size() > RING) {
            ring.removeFirst();
        }
        // Under the lock, so every subscriber sees events in id order.
        for (Subscription s : subscribers) {
            if (s.filter().test(event) && !s.subscriber().offer(event.frame())) {
                subscribers.remove(s);
            }
        }
    }

    /**
     * Subscribes with {@code filter}; first sends what a reconnecting client missed (or {@code reset} when that
     * cannot be replayed), then every new matching event.
     */
    public synchronized void subscribe(Optional<String> lastEventId, Predicate<Event> filter, Subscriber subscriber) {
        if (lastEventId.isPresent()) {
            Optional<List<Event>> missed = since(lastEventId.get());
            if (missed.isEmpty()) {
                if (!subscriber.offer("event: reset\ndata: {}\n\n")) {
                    return;
                }
            } else {
                for (Event e : missed.get()) {
                    if (filter.test(e) && !subscriber.offer(e.frame())) {
                        return;
                    }
                }
            }
        }
        subscribers.add(new Subscription(subscriber, filter));
    }

    /** Events after {@code id}, or empty when {@code id} is of another incarnation or fell out of the ring. */
    private Optional<List<Event>> since(String id) {
        int dash = id.indexOf('-');
        if (dash < 0 || !id.substring(0, dash).equals(incarnation)) {
            return Optional.empty();
        }
        long after;
        try {
            after = Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        long oldest = ring.isEmpty() ? seq + 1 : sequenceOf(ring.peekFirst());
        if (after > seq || after < oldest - 1) {
            return Optional.empty();
        }
        List<Event> out = new ArrayList<>();
        for (Event e : ring) {
            if (sequenceOf(e) > after) {
                out.add(e);
            }
        }
        return Optional.of(out);
    }

    private static long sequenceOf(Event e) {
        return Long.parseLong(e.id().substring(e.id().indexOf('-') + 1));
    }

    /** The client went away. */
    public synchronized void unsubscribe(Subscriber subscriber) {
        subscribers.removeIf(s -> s.subscriber() == subscriber);
        logSubscribers.values().forEach(l -> l.remove(subscriber));
    }

    // ---- lease logs -----------------------------------------------------------------------------------------

    /** A lease started: its log can be followed. */
    public synchronized void leaseStarted(String leaseId) {
        logTails.putIfAbsent(leaseId, new ArrayDeque<>());
    }

    /** Console lines of a running lease (best effort, never stored). */
    public synchronized void leaseLog(String leaseId, List<String> lines) {
        Deque<String> tail = logTails.computeIfAbsent(leaseId, k -> new ArrayDeque<>());
        for (String l : lines) {
            tail.addLast(l);
            if (tail.size() > LOG_TAIL) {
                tail.removeFirst();
            }
        }
        List<Subscriber> subs = logSubscribers.get(leaseId);
        if (subs != null && !lines.isEmpty()) {
            String frame = logFrame(lines);
            subs.removeIf(s -> !s.offer(frame));
        }
    }

    /** The lease is over: followers get {@code end} and the tail is dropped. */
    public synchronized void leaseEnded(String leaseId) {
        logTails.remove(leaseId);
        List<Subscriber> subs = logSubscribers.remove(leaseId);
        if (subs != null) {
            subs.forEach(s -> s.offer("event: end\ndata: {}\n\n"));
        }
    }

    public synchronized boolean leaseRunning(String leaseId) {
        return logTails.containsKey(leaseId);
    }

    /** Follows a running lease's log (the kept tail first); a lease that already ended gets {@code end} at once. */
    public synchronized void followLease(String leaseId, Subscriber subscriber) {
        Deque<String> tail = logTails.get(leaseId);
        if (tail == null) {
            subscriber.offer("event: end\ndata: {}\n\n");
            return;
        }
        if (!tail.isEmpty() && !subscriber.offer(logFrame(List.copyOf(tail)))) {
            return;
        }
        logSubscribers.computeIfAbsent(leaseId, k -> new ArrayList<>()).add(subscriber);
    }

    private static String logFrame(List<String> lines) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lines", lines);
        try {
            return "event: log\ndata: " + JSON.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
