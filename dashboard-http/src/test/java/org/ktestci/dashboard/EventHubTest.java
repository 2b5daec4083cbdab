package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Delivery of relayed events: duplicates, gaps, a replaced coordinator's late events, refused input. */
class EventHubTest {
    private static void deliver(EventHub hub, String id) {
        hub.deliver(id, "queue", "{\"pending\":1}", Optional.empty(), List.of());
    }

    private static List<String> ids(List<String> frames) {
        return frames.stream().filter(f -> f.startsWith("id: ")).map(f -> f.substring(4, f.indexOf('\n'))).toList();
    }

    @Test
    void aDuplicateIsIgnoredAndAGapMakesOlderIdsAReset() {
        EventHub hub = new EventHub();
        List<String> live = new ArrayList<>();
        hub.subscribe(Optional.empty(), e -> true, live::add);
        deliver(hub, "0000000a-1");
        deliver(hub, "0000000a-2");
        deliver(hub, "0000000a-2");
        deliver(hub, "0000000a-6"); // 3 to 5 never reached this node
        assertEquals(List.of("0000000a-1", "0000000a-2", "0000000a-6"), ids(live));

        List<String> fromTwo = new ArrayList<>();
        hub.subscribe(Optional.of("0000000a-2"), e -> true, fromTwo::add);
        assertEquals("event: reset\ndata: {}\n\n", fromTwo.get(0), "3 to 5 cannot be replayed");
        List<String> fromFive = new ArrayList<>();
        hub.subscribe(Optional.of("0000000a-5"), e -> true, fromFive::add);
        assertEquals(List.of("0000000a-6"), ids(fromFive), "a client that saw 5 elsewhere misses nothing");
    }

    @Test
    void lateEventsOfAReplacedIncarnationAreNotTaken() {
        EventHub hub = new EventHub();
        List<String> live = new ArrayList<>();
        hub.subscribe(Optional.empty(), e -> true, live::add);
        deliver(hub, "0000000a-1");
        deliver(hub, "0000000b-1");
        deliver(hub, "0000000a-2");
        deliver(hub, "0000000b-2");
        assertEquals(List.of("0000000a-1", "0000000b-1", "0000000b-2"), ids(live));
        List<String> replay = new ArrayList<>();
        hub.subscribe(Optional.of("0000000b-1"), e -> true, replay::add);
        assertEquals(List.of("0000000b-2"), ids(replay), "the ring was not cleared by the late event");
    }

    @Test
    void anUnknownTypeOrAMalformedIdIsRefused() {
        EventHub hub = new EventHub();
        assertThrows(IllegalArgumentException.class,
                () -> hub.deliver("0000000a-1", "bogus", "{}", Optional.empty(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> deliver(hub, "a-1"));
        assertThrows(IllegalArgumentException.class, () -> deliver(hub, "0000000a-x"));
    }
}
