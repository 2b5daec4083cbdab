package org.ktestci.coordinator.execution;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.results.ResultsStore;
import org.ktestci.coordinator.scheduling.JobWindow;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.WorkerHello;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerGatewayTest {
    private static final ActorTestKit KIT = ActorTestKit.create("WorkerGatewayTest",
            ConfigFactory.parseString(
            "pekko.actor.provider = cluster\npekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                    + "pekko.remote.artery.canonical.port = 0"));

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static WorkerHello hello(int version, String host, String arch, int slots, ActorRef<AgentMessage> agent) {
        return new WorkerHello(version, host, arch, slots, "0.1.0", "abc", "host", false, "/dev/kvm does not exist", 1024, 4, List.of(), agent);
    }

    record Fixture(ActorRef<GatewayMessage> gateway, TestProbe<JobWindow.Command> window) {}

    private static Fixture start(HostSlots farm1) {
        TestProbe<JobWindow.Command> window = KIT.createTestProbe();
        TestProbe<ResultsStore.Command> results = KIT.createTestProbe();
        TestProbe<ArtifactStore.Command> artifacts = KIT.createTestProbe();
        SchedulerSettings settings = SchedulerSettings.defaults();
        ActorRef<GatewayMessage> gw = WorkerGateway.wire(KIT.spawn(WorkerGateway.create(h -> h.equals("farm1") ? farm1
                : HostSlots.UNCONFIGURED, List.of(), window.ref(), results.ref(), artifacts.ref(), settings,
                CoordinatorMetrics.standalone(), 42)));
        return new Fixture(gw, window);
    }

    /** The window's side of a new host's hello: nothing to resume. */
    private static void answerResume(Fixture f) {
        JobWindow.ResumeLeases r = f.window().expectMessageClass(JobWindow.ResumeLeases.class);
        r.replyTo().tell(new JobWindow.ResumeDecision(List.of(), r.active().stream()
                .map(JobWindow.ActiveLease::leaseId).toList()));
    }

    @Test
    void refusesAnotherProtocolVersionWithAClearLogLine() {
        Fixture f = start(HostSlots.UNCONFIGURED);
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        LoggingTestKit.warn("protocol version 2 not supported (coordinator speaks 1)").expect(KIT.system(), () -> {
            f.gateway().tell(hello(2, "farm9", "x86_64", 4, agent.ref()));
            return null;
        });
        HelloAck ack = agent.expectMessageClass(HelloAck.class);
        assertFalse(ack.accepted());
        assertEquals("protocol version 2 not supported (coordinator speaks 1)", ack.reason());
    }

    @Test
    void configuredSlotsWinAndAConfiguredArchMustMatch() {
        Fixture f = start(new HostSlots(Optional.of(2), Optional.of("aarch64")));
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        f.gateway().tell(hello(1, "farm1", "x86_64", 8, agent.ref()));
        HelloAck refused = agent.expectMessageClass(HelloAck.class);
        assertFalse(refused.accepted());
        assertEquals("arch mismatch: config says aarch64, host says x86_64", refused.reason());

        f.gateway().tell(hello(1, "farm1", "aarch64", 8, agent.ref()));
        answerResume(f);
        HelloAck ack = agent.expectMessageClass(HelloAck.class);
        assertTrue(ack.accepted());
        assertEquals(2, ack.slots(), "[hosts.farm1].slots wins over the announced 8");
        // The window learns the host, and one executor per assigned slot claims work (in any order).
        List<JobWindow.Command> msgs = f.window().receiveSeveralMessages(3);
        assertTrue(msgs.contains(new JobWindow.HostsChanged(Map.of("farm1", "aarch64"))), msgs.toString());
        assertEquals(Set.of(0, 1), msgs.stream().filter(m -> m instanceof JobWindow.ClaimBatch)
                .map(m -> ((JobWindow.ClaimBatch) m).slot()).collect(Collectors.toSet()));
    }

    @Test
    void refusesASecondAgentForAHostThatIsAlreadyConnected() {
        Fixture f = start(HostSlots.UNCONFIGURED);
        TestProbe<AgentMessage> first = KIT.createTestProbe();
        TestProbe<AgentMessage> second = KIT.createTestProbe();
        f.gateway().tell(hello(1, "farm2", "x86_64", 1, first.ref()));
        answerResume(f);
        assertTrue(first.expectMessageClass(HelloAck.class).accepted());
        f.gateway().tell(hello(1, "farm2", "x86_64", 1, second.ref()));
        assertTrue(second.expectMessageClass(HelloAck.class).reason().startsWith("host farm2 is already connected"));
    }
}
