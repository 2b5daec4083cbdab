package org.ktestci.coordinator.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ktestci.dashboard.EventHub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two coordinator nodes in one cluster on loopback: what the singleton's {@link LiveEvents} publish on node A
 * reaches node B's {@link EventHub} through the topic (real artery, real CBOR), with the ids A assigned, in order;
 * lease logs follow the same way; a new incarnation makes B's hub answer an old {@code Last-Event-ID} with reset.
 */
class LiveRelayTest {
    private static final String NODE = """
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            """;

    private final List<ActorTestKit> kits = new ArrayList<>();

    @AfterEach
    void stop() {
        kits.forEach(ActorTestKit::shutdownTestKit);
    }

    private ActorTestKit node() {
        ActorTestKit kit = ActorTestKit.create("ktest-ci", ConfigFactory.parseString(NODE));
        kits.add(kit);
        return kit;
    }

    /** The node's topic, with its relay into {@code hub}. */
    private static ActorRef<Topic.Command<LiveMessage>> relay(ActorTestKit kit, EventHub hub) {
        ActorRef<Topic.Command<LiveMessage>> topic = kit.spawn(LiveRelay.topic(), "live-events-topic");
        kit.spawn(LiveRelay.create(topic, hub), "live-events-relay");
        return topic;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not reached within 30 s");
            }
            Thread.sleep(20);
        }
    }

    private static List<String> ids(List<String> frames, String type) {
        List<String> out = new ArrayList<>();
        for (String f : frames) {
            if (f.contains("\nevent: " + type + "\n")) {
                out.add(f.substring("id: ".length(), f.indexOf('\n')));
            }
        }
        return out;
    }

    @Test
    void aStandbyNodesHubGetsTheSingletonsEventsWithTheSameIdsInOrder() throws Exception {
        ActorTestKit a = node();
        ActorTestKit b = node();
        Cluster ca = Cluster.get(a.system());
        ca.manager().tell(Join.create(ca.selfMember().address()));
        Cluster.get(b.system()).manager().tell(Join.create(ca.selfMember().address()));
        await("both nodes up", () -> ca.state().members().size() == 2 && StreamSupport
                .stream(ca.state().getMembers().spliterator(), false).allMatch(m -> m.status() == MemberStatus.up()));

        EventHub hubA = new EventHub();
        EventHub hubB = new EventHub();
        ActorRef<Topic.Command<LiveMessage>> topicA = relay(a, hubA);
        relay(b, hubB);
        LiveEvents singleton = new LiveEvents(hubA, m -> topicA.tell(Topic.publish(m)), sha -> List.of("master"));
        singleton.incarnation(0x7f3a9c1e);
        List<String> onA = new CopyOnWriteArrayList<>();
        List<String> onB = new CopyOnWriteArrayList<>();
        hubA.subscribe(Optional.empty(), e -> true, onA::add);
        hubB.subscribe(Optional.empty(), e -> true, onB::add);

        // The topic learns of B's subscriber through the receptionist: publish until B hears one.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (onB.isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("B heard none of " + onA.size() + " host events within 30 s");
            }
            singleton.host("farm1", "up", 0);
            Thread.sleep(50);
        }
        int before = ids(onB, "queue").size();
        for (int i = 0; i < 200; i++) {
            singleton.queue(i, 1, Map.of("master", i));
        }
        await("200 queue events on B", () -> ids(onB, "queue").size() == before + 200);
        List<String> queueA = ids(onA, "queue");
        assertEquals(queueA.subList(queueA.size() - 200, queueA.size()), ids(onB, "queue"),
                "B has A's ids, in A's order");
        assertTrue(ids(onB, "queue").get(0).startsWith("7f3a9c1e-"), ids(onB, "queue").get(0));
        String lastB = onB.get(onB.size() - 1);
        assertTrue(lastB.contains("\"pending\":199"), lastB);

        // A client reconnecting to B with the id of the 100th event gets the other 100 replayed from B's ring.
        String hundredth = ids(onB, "queue").get(99);
        List<String> replayed = new ArrayList<>();
        hubB.subscribe(Optional.of(hundredth), e -> true, replayed::add);
        assertEquals(ids(onB, "queue").subList(100, 200), ids(replayed, "queue"));

        // Lease logs: a viewer on B follows a lease the singleton runs.
        singleton.leaseLog("lease-1", "early\n".getBytes());
        List<String> log = new CopyOnWriteArrayList<>();
        ObjectMapper json = new ObjectMapper();
        await("lease log on B", () -> hubB.leaseRunning("lease-1"));
        hubB.followLease("lease-1", log::add);
        singleton.leaseLog("lease-1", "00012 ========= TEST   pass".getBytes());
        await("the line reaches B's viewer", () -> log.stream().anyMatch(f -> f.contains("TEST   pass")));
        assertTrue(log.get(0).contains("early"), "the kept tail first: " + log);
        assertTrue(json.readTree(log.get(log.size() - 1).substring("event: log\ndata: ".length()))
                .get("lines").toString().contains("00012 ========= TEST   pass"), log.toString());

        // The singleton moved (new incarnation): B's hub starts the new ids; an old id is answered with reset.
        singleton.incarnation(0x0000beef);
        singleton.host("farm1", "quarantined", System.currentTimeMillis() + 60_000);
        await("the new incarnation on B", () -> onB.get(onB.size() - 1).startsWith("id: 0000beef-1\n"));
        List<String> late = new ArrayList<>();
        hubB.subscribe(Optional.of(hundredth), e -> true, late::add);
        assertEquals("event: reset\ndata: {}\n\n", late.get(0));
    }
}
