package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.IterationOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's field checks of worker messages: honest ones pass, each broken field is named, none throws. */
class WireChecksTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final String LEASE = "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static List<ExecutorMessage> honestLeaseMessages() {
        TestProbe<AgentMessage> reply = KIT.createTestProbe();
        return List.of(new BatchAccepted(LEASE, 3), new BatchRefused(LEASE, 3, RefusalReason.SLOT_BUSY),
                new LeaseHeartbeat(LEASE, 3, 0, "", 1, 5, reply.ref()),
                new SubtestStarted(LEASE, 3, 1, "t.a", 1, 1_000),
                new SubtestFinished(LEASE, 3, 2, "t.a", "========= PASSED a in 0s", "PASSED", 0, 1, 2, 1, "t.a",
                        "runner=host"),
                new LogChunk(LEASE, 3, 3, LogChunk.KIND_LOG, "t.a", 1, 0, 5, "hello".getBytes(), true),
                new LogChunk(LEASE, 3, 0, LogChunk.KIND_LIVE, "", 1, 0, -1, "line".getBytes(), false),
                new BatchFinished(LEASE, 3, 4, BatchOutcome.INFRA_FAILURE, LeaseEndReason.CHECKOUT_FAILED, "",
                        List.of(new BatchFinished.Unreached("t.b", LeaseEndReason.CHECKOUT_FAILED)),
                        List.of(new BatchFinished.Iteration("qemu", "x86_64", 12, IterationOutcome.CHILD_EXIT))));
    }

    @Test
    void honestLeaseMessagesPass() {
        for (ExecutorMessage m : honestLeaseMessages()) {
            assertEquals(Optional.empty(), LeaseMessageCheck.problem(m), m.toString());
        }
    }

    @Test
    void brokenFieldsAreNamed() {
        assertProblem("epoch", new BatchAccepted(LEASE, Long.MAX_VALUE));
        assertProblem("leaseId", new BatchAccepted("../x", 1));
        assertProblem("chunk -1..4 outside 0..5", new LogChunk(LEASE, 3, 3, LogChunk.KIND_LOG, "t.a", 1, -1, 5,
                "hello".getBytes(), true));
        assertProblem("outside", new LogChunk(LEASE, 3, 3, LogChunk.KIND_LOG, "t.a", 1, Long.MAX_VALUE - 2, 5,
                "hello".getBytes(), true));
        assertProblem("last chunk ends at 5, not 9", new LogChunk(LEASE, 3, 3, LogChunk.KIND_LOG, "t.a", 1, 0, 9,
                "hello".getBytes(), true));
        assertProblem("statusLine", new SubtestFinished(LEASE, 3, 2, "t.a", null, null, 0, 1, 2, 1, "t.a", ""));
        assertProblem("status \"GREAT\"", new SubtestFinished(LEASE, 3, 2, "t.a", "x", "GREAT", 0, 1, 2, 1, "t.a",
                ""));
        assertProblem("resultKey \"../../etc\"", new SubtestStarted(LEASE, 3, 1, "../../etc", 1, 1));
        assertProblem("seq 0", new SubtestStarted(LEASE, 3, 0, "t.a", 1, 1));
        assertProblem("reason unknown", new BatchFinished(LEASE, 3, 4, BatchOutcome.INFRA_FAILURE,
                LeaseEndReason.fromWire("Bad Reason"), "", List.of(), List.of()));
        assertProblem("outcome unknown", new BatchFinished(LEASE, 3, 4, BatchOutcome.fromWire("MAYBE"),
                LeaseEndReason.NONE, "", List.of(), List.of()));
        assertProblem("refusal reason unknown", new BatchRefused(LEASE, 3, RefusalReason.fromWire("No Way")));
        assertProblem("no replyTo", new LeaseHeartbeat(LEASE, 3, 0, "", 1, 5, null));
    }

    private static void assertProblem(String part, ExecutorMessage m) {
        Optional<String> p = LeaseMessageCheck.problem(m);
        assertTrue(p.isPresent() && p.get().contains(part), "expected a problem with '" + part + "': " + p);
    }

    /** Every field of every message set to null, zero-ish or extreme: a verdict, never an exception. */
    @Test
    void noFieldValueMakesACheckThrow() throws Exception {
        int variants = 0;
        for (ExecutorMessage m : honestLeaseMessages()) {
            for (Object v : variants(m)) {
                LeaseMessageCheck.problem((ExecutorMessage) v);
                variants++;
            }
        }
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        WorkerHello hello = new WorkerHello(1, "farm1", "x86_64", 4, "0.1.0", "abc", "host", false, "no VMs", 1024, 8,
                List.of(new WorkerHello.ActiveLease(0, LEASE, 3, 9, 7)), agent.ref());
        assertEquals(Optional.empty(), HelloCheck.hello(hello, HostSlots.UNCONFIGURED));
        for (Object v : variants(hello)) {
            HelloCheck.hello((WorkerHello) v, HostSlots.UNCONFIGURED);
            HelloCheck.host(((WorkerHello) v).host());
            variants++;
        }
        TestProbe<ExecutorMessage> executor = KIT.createTestProbe();
        java.nio.file.Path ktest = java.nio.file.Files.createTempDirectory("ktest");
        java.nio.file.Files.createDirectories(ktest.resolve("tests"));
        java.nio.file.Files.writeString(ktest.resolve("tests/t.ktest"), "");
        org.ktestci.worker.agent.BatchValidator batches = new org.ktestci.worker.agent.BatchValidator(ktest);
        org.ktestci.protocol.RunBatch batch = new org.ktestci.protocol.RunBatch(LEASE, 3, 0, 1, "linux",
                "0123456789abcdef0123456789abcdef01234567", List.of(new org.ktestci.protocol.RunBatch.Source(
                "https://example.net/linux.git", "main")), "", "t.ktest", "", java.util.Map.of("ktest_x", "1"),
                "x86_64", List.of(new org.ktestci.protocol.RunBatch.BatchSubtest("a", "t.a", 30)), "t", 600,
                executor.ref());
        assertEquals(Optional.empty(), batches.malformation(batch));
        for (Object v : variants(batch)) {
            batches.check((org.ktestci.protocol.RunBatch) v);
            variants++;
        }
        WorkerGoodbye bye = new WorkerGoodbye("farm1", List.of(LEASE), agent.ref());
        assertEquals(Optional.empty(), HelloCheck.goodbye(bye));
        for (Object v : variants(bye)) {
            HelloCheck.goodbye((WorkerGoodbye) v);
            variants++;
        }
        assertTrue(variants > 100, "variants tried: " + variants);
    }

    @Test
    void slotsAreWithinTheLimitUnlessTheConfigFixesThem() {
        TestProbe<AgentMessage> agent = KIT.createTestProbe();
        WorkerHello hello = new WorkerHello(1, "farm1", "x86_64", 5_000_000, "0.1.0", "abc", "host", false, "no VMs", 1024, 8,
                List.of(), agent.ref());
        assertEquals(Optional.of("slots 5000000 not in 1..256"), HelloCheck.hello(hello, HostSlots.UNCONFIGURED));
        assertEquals(Optional.empty(), HelloCheck.hello(hello, new HostSlots(Optional.of(4), Optional.empty())));
    }

    /** Copies of {@code record} with one component replaced by each hostile value of its type. */
    static List<Object> variants(Object record) throws Exception {
        RecordComponent[] parts = record.getClass().getRecordComponents();
        Class<?>[] types = new Class<?>[parts.length];
        for (int i = 0; i < parts.length; i++) {
            types[i] = parts[i].getType();
        }
        Constructor<?> ctor = record.getClass().getDeclaredConstructor(types);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            for (Object hostile : hostile(types[i])) {
                Object[] args = new Object[parts.length];
                for (int j = 0; j < parts.length; j++) {
                    args[j] = j == i ? hostile : parts[j].getAccessor().invoke(record);
                }
                out.add(ctor.newInstance(args));
            }
        }
        return out;
    }

    private static List<Object> hostile(Class<?> type) {
        List<Object> v = new ArrayList<>();
        if (type == long.class) {
            v.addAll(List.of(-1L, 0L, Long.MAX_VALUE, Long.MIN_VALUE));
        } else if (type == int.class) {
            v.addAll(List.of(-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE));
        } else if (type == boolean.class) {
            v.addAll(List.of(true, false));
        } else if (type == String.class) {
            v.addAll(java.util.Arrays.asList(null, "", "..", "../x", "a/b", "a\nb", "x".repeat(70_000)));
        } else if (type.isEnum()) {
            v.add(null); // absent on the wire
            v.addAll(Arrays.asList(type.getEnumConstants())); // UNKNOWN among them: any string no constant has
        } else if (type == byte[].class) {
            v.addAll(java.util.Arrays.asList(null, new byte[0], new byte[LogChunk.MAX_CHUNK_BYTES + 1]));
        } else if (type == java.util.Map.class) {
            java.util.Map<String, String> withNull = new java.util.HashMap<>();
            withNull.put("ktest_x", null);
            v.addAll(java.util.Arrays.asList(null, java.util.Map.of(), withNull, java.util.Map.of("PATH", "/x")));
        } else if (type == List.class) {
            v.addAll(java.util.Arrays.asList(null, List.of(), java.util.Arrays.asList((Object) null)));
        } else {
            v.add(null); // refs
        }
        return v;
    }
}
