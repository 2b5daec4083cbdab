package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.ktestci.protocol.Ack;
import org.ktestci.protocol.AgentMessage;
import org.ktestci.protocol.BatchAccepted;
import org.ktestci.protocol.BatchFinished;
import org.ktestci.protocol.BatchOutcome;
import org.ktestci.protocol.BatchRefused;
import org.ktestci.protocol.ExecutorMessage;
import org.ktestci.protocol.GatewayMessage;
import org.ktestci.protocol.HeartbeatAck;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.HelloRequest;
import org.ktestci.protocol.IterationOutcome;
import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.LeaseHeartbeat;
import org.ktestci.protocol.LogChunk;
import org.ktestci.protocol.RefusalReason;
import org.ktestci.protocol.Reject;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.ReliableMessage;
import org.ktestci.protocol.RevokeLease;
import org.ktestci.protocol.RunBatch;
import org.ktestci.protocol.SubtestFinished;
import org.ktestci.protocol.SubtestStarted;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * Malformed and out-of-order protocol messages for a running {@link Farm}, from a fixed seed: to the gateway,
 * to the executors (with the current lease's id and epoch, an old lease's, or none), and to the worker agent
 * (through the door the gateway was given, and at the agent's own path). It never sends a message that is both
 * well-formed and in order, which the protocol would rightly act on: a hostile member holding that much is
 * outside what validation can tell apart (security.md, "Cluster protocol").
 */
final class ProtocolFuzzer {
    private final Random rnd;
    private final int budget;
    private final Farm farm;
    private final ActorRef<GatewayMessage> gateway;
    private final ActorRef<AgentMessage> door;
    private final ActorRef<AgentMessage> stranger;
    private final ActorRef<ExecutorMessage> strangerExecutor;
    private final Serialization serialization;
    /** Messages sent, by target and kind. */
    final Map<String, Integer> sent = new TreeMap<>();
    /** Messages sent in all. */
    int total;
    /** Messages the wire itself could not carry (they fail to serialize or deserialize): dropped by Pekko. */
    int undeliverable;

    /** {@code budget}: a sweep stops there, so exactly that many messages can be sent. */
    ProtocolFuzzer(long seed, int budget, Farm farm, ActorRef<AgentMessage> door, ActorRef<AgentMessage> stranger,
                   ActorRef<ExecutorMessage> strangerExecutor) {
        this.budget = budget;
        this.rnd = new Random(seed);
        this.farm = farm;
        this.gateway = WorkerGateway.wire(farm.gateway);
        this.door = door;
        this.stranger = stranger;
        this.strangerExecutor = strangerExecutor;
        this.serialization = SerializationExtension.get(Adapter.toClassic(farm.kit.system()));
    }

    /** Sends one message, or one sweep of them; returns how many. */
    int sendSome() {
        int before = total;
        int r = rnd.nextInt(100);
        if (r < 25) {
            toGateway();
        } else if (r < 65) {
            toExecutor();
        } else if (r < 90) {
            toDoor();
        } else {
            toAgentPath();
        }
        return total - before;
    }

    // ---- gateway ----

    private void toGateway() {
        int r = rnd.nextInt(10);
        if (r < 6) {
            send(gateway, "gateway", "hello", mutate(hello(), 1 + rnd.nextInt(2), helloMutations()));
        } else if (r < 9) {
            send(gateway, "gateway", "goodbye", goodbye());
        } else {
            send(gateway.<Object>unsafeUpcast(), "gateway", "foreign", pick(new HelloRequest(1),
                    new BatchAccepted(UUID.randomUUID().toString(), 1), new Ack("x", 1)));
        }
    }

    /** Host w1 again from another agent: refused as a second connection even if every field were fine. */
    private WorkerHello hello() {
        return new WorkerHello(1, Farm.HOST, "x86_64", 2, "0.1.0", "rev", "host", false, "no VMs", 1024, 4, List.of(),
                rnd.nextInt(10) == 0 ? door : stranger);
    }

    private List<Function<WorkerHello, WorkerHello>> helloMutations() {
        return List.of(
            h -> withHello(h, "host", pick(null, "", "a/b", "..", ".", "x".repeat(300), "w1\nFAKE", "w 1")),
            h -> withHello(h, "arch", pick(null, "", "sparc", "X86_64")),
            h -> withHello(h, "slots", pick(0, -1, 257, 5_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE)),
            h -> withHello(h, "protocolVersion", pick(0, 2, -1, Integer.MAX_VALUE)),
            h -> withHello(h, "agentVersion", pick(null, "1\n2", "x".repeat(100))),
            h -> withHello(h, "ktestRevision", pick(null, "a\rb", "x".repeat(5000))),
            h -> withHello(h, "runner", pick(null, "", "sh -c", "QEMU")),
            h -> withHello(h, "kvmReason", pick(null, "a\nforged log line", "x".repeat(600))),
            h -> withHello(h, "memoryMib", pick(-1L, Long.MIN_VALUE)),
            h -> withHello(h, "cpus", pick(-1, 1 << 20)),
            h -> withHello(h, "agent", null),
            h -> withHello(h, "activeLeases", pick(null,
                    Arrays.asList((WorkerHello.ActiveLease) null),
                    List.of(new WorkerHello.ActiveLease(-1, UUID.randomUUID().toString(), 1, 1, 1)),
                    List.of(new WorkerHello.ActiveLease(0, "../lease", 1, 1, 1)),
                    List.of(new WorkerHello.ActiveLease(0, UUID.randomUUID().toString(), -5, 1, 1)),
                    List.of(new WorkerHello.ActiveLease(0, UUID.randomUUID().toString(), 1, 1, 9)),
                    manyLeases())));
    }

    private static List<WorkerHello.ActiveLease> manyLeases() {
        List<WorkerHello.ActiveLease> out = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            out.add(new WorkerHello.ActiveLease(i % 256, UUID.randomUUID().toString(), 1, 1, 1));
        }
        return out;
    }

    private static WorkerHello withHello(WorkerHello h, String field, Object v) {
        return new WorkerHello(
                (int) or(field, "protocolVersion", v, h.protocolVersion()), (String) or(field, "host", v, h.host()),
                (String) or(field, "arch", v, h.arch()), (int) or(field, "slots", v, h.slots()),
                (String) or(field, "agentVersion", v, h.agentVersion()),
                (String) or(field, "ktestRevision", v, h.ktestRevision()), (String) or(field, "runner", v, h.runner()),
                h.kvm(), (String) or(field, "kvmReason", v, h.kvmReason()),
                (long) or(field, "memoryMib", v, h.memoryMib()), (int) or(field, "cpus", v, h.cpus()),
                cast(or(field, "activeLeases", v, h.activeLeases())), cast(or(field, "agent", v, h.agent())));
    }

    /** A goodbye for w1 from anyone but its agent, or one malformed in some other way. */
    private WorkerGoodbye goodbye() {
        String host = pick(Farm.HOST, Farm.HOST, null, "a/b", "x".repeat(300));
        List<String> leases = pick(List.of(), null, List.of("../x"), Arrays.asList((String) null));
        ActorRef<AgentMessage> agent = Farm.HOST.equals(host) ? pick(null, stranger) : pick(null, stranger, door);
        return new WorkerGoodbye(host, leases, agent);
    }

    // ---- executors ----

    private void toExecutor() {
        List<RunBatch> batches = farm.batches;
        if (batches.isEmpty()) {
            toGateway();
            return;
        }
        // The newest batch of an executor is usually the running lease; older ones are stale.
        RunBatch b = rnd.nextInt(3) > 0 ? batches.get(batches.size() - 1 - rnd.nextInt(Math.min(4, batches.size())))
                : batches.get(rnd.nextInt(batches.size()));
        boolean stale = rnd.nextInt(4) == 0;
        String lease = stale && rnd.nextBoolean() ? UUID.randomUUID().toString() : b.leaseId();
        long epoch = stale && lease.equals(b.leaseId()) ? b.epoch() - 1 - rnd.nextInt(3) : b.epoch();
        ActorRef<ExecutorMessage> ex = b.executor();
        String key = b.subtests().get(rnd.nextInt(b.subtests().size())).resultKey();
        int r = rnd.nextInt(20);
        if (r == 0) {
            send(ex.<Object>unsafeUpcast(), "executor", "foreign", pick(hello(), new HelloRequest(3),
                    new Ack(lease, 1)));
            return;
        }
        // A batch of four sends sequence numbers 1..13: the executor's next expected one is often among these,
        // so broken content reaches the check in front of the state it would change.
        long seq = 1 + rnd.nextInt(16);
        ExecutorMessage m = switch (r % 7) {
            case 0 -> new SubtestStarted(lease, epoch, seq, key, 1, System.currentTimeMillis());
            case 1 -> new SubtestFinished(lease, epoch, seq, key, "========= FAILED forged in 0s", "FAILED", 0, 0, 0,
                    1, key, "");
            case 2 -> new LogChunk(lease, epoch, seq, LogChunk.KIND_LOG, key, 1, 0, 6, "forged".getBytes(), true);
            case 3 -> new BatchFinished(lease, epoch, seq, BatchOutcome.INFRA_FAILURE, LeaseEndReason.AGENT_ERROR, "",
                    List.of(),
                    List.of());
            case 4 -> new BatchAccepted(lease, epoch);
            case 5 -> new BatchRefused(lease, epoch, RefusalReason.DRAINING);
            default -> new LeaseHeartbeat(lease, epoch, b.slot(), key, 1, 1, stranger);
        };
        boolean current = !stale;
        if (current && m instanceof ReliableMessage && rnd.nextInt(8) == 0) {
            // A sweep: the same broken content at every sequence number a running batch uses, so one of them is
            // the executor's next expected and meets the check in front of the state it would change.
            ExecutorMessage broken = breakContent(m);
            for (long n = 1; n <= 16 && total < budget; n++) {
                send(ex, "executor", "current_lease_sweep", withSeq(broken, n));
            }
            return;
        }
        if (current || rnd.nextBoolean()) {
            m = breakLeaseMessage(m);
        } else if (m instanceof SubtestFinished || m instanceof LogChunk || m instanceof SubtestStarted
                || m instanceof BatchFinished) {
            m = withSeq(m, 1_000_000 + rnd.nextInt(1000)); // far ahead of any real sequence: a gap
        }
        send(ex, "executor", current ? "current_lease" : "stale_lease", m);
    }

    /** A reliable message whose content (not its sequence number) is out of its rules. */
    private ExecutorMessage breakContent(ExecutorMessage m) {
        while (true) {
            ExecutorMessage broken = breakLeaseMessage(m);
            if (((ReliableMessage) broken).seq() == ((ReliableMessage) m).seq()) {
                return broken;
            }
        }
    }

    /**
     * A lease message made certainly malformed (a field out of its rules) or out of order (a sequence number
     * far ahead), never one the executor should act on.
     */
    private ExecutorMessage breakLeaseMessage(ExecutorMessage m) {
        int r = rnd.nextInt(10);
        if (r == 0) {
            return withLease(m, pick(null, "", "../x", "x".repeat(100)), pick(1L, -1L, Long.MAX_VALUE));
        }
        if (r == 1) {
            return withLease(m, ((org.ktestci.protocol.LeaseMessage) m).leaseId(), pick(-1L, Long.MAX_VALUE,
                    Long.MIN_VALUE));
        }
        if (m instanceof SubtestStarted s) {
            return r < 5 ? withSeq(s, pick(0L, -1L, Long.MIN_VALUE, 1_000_000L + rnd.nextInt(99)))
                    : new SubtestStarted(s.leaseId(), s.epoch(), s.seq(), pick(null, "", ".", "..", "../etc", "a/b",
                    "x".repeat(300), "t.s1\n"), pick(s.iteration(), -1, 2_000_000), pick(s.at(), -1L));
        }
        if (m instanceof SubtestFinished f) {
            return switch (r) {
                case 2 -> withSeq(f, pick(0L, -1L, 1_000_000L + rnd.nextInt(99)));
                case 3 -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), pick(null, "", "..", "../etc", "a/b"),
                        f.statusLine(), f.status(), f.durationSecs(), 0, 0, 1, f.fullLogKey(), f.run());
                case 4 -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), f.resultKey(), pick(null, "a\nb",
                        "x".repeat(5000)), f.status(), 0, 0, 0, 1, f.fullLogKey(), f.run());
                case 5 -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), f.resultKey(), f.statusLine(),
                        pick(null, "", "GREAT"), 0, 0, 0, 1, f.fullLogKey(), f.run());
                case 6 -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), f.resultKey(), f.statusLine(),
                        f.status(), pick(-1, Integer.MIN_VALUE), pick(0L, -1L), pick(0L, -1L), pick(1, -1),
                        f.fullLogKey(), f.run());
                case 7 -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), f.resultKey(), f.statusLine(),
                        f.status(), 0, 0, 0, 1, pick(null, "../x"), f.run());
                default -> new SubtestFinished(f.leaseId(), f.epoch(), f.seq(), f.resultKey(), f.statusLine(),
                        f.status(), 0, 0, 0, 1, f.fullLogKey(), pick("x".repeat(70_000), "a\0b"));
            };
        }
        if (m instanceof LogChunk c) {
            return switch (r) {
                case 2 -> withSeq(c, pick(0L, -1L, 1_000_000L + rnd.nextInt(99)));
                case 3 -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), pick(null, "", "LOG", "../log"),
                        c.resultKey(), 1, 0, 6, c.data(), true);
                case 4 -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), c.kind(), c.resultKey(), 1, 0, 6,
                        pick(null, new byte[LogChunk.MAX_CHUNK_BYTES + 1]), true);
                case 5 -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), c.kind(), c.resultKey(), 1,
                        pick(-1L, Long.MAX_VALUE - 2, 7L, Long.MIN_VALUE), 6, c.data(), true);
                case 6 -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), c.kind(), c.resultKey(), 1, 0,
                        pick(-1L, 1L << 40, 3L), c.data(), true);
                case 7 -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), c.kind(), c.resultKey(), 1, 0, 60, c.data(),
                        true); // the last chunk, 54 bytes short of the artifact
                default -> new LogChunk(c.leaseId(), c.epoch(), c.seq(), c.kind(), pick(null, "../../x", "a/b", ".."),
                        pick(1, -1), 0, 6, c.data(), true);
            };
        }
        if (m instanceof BatchFinished b) {
            return switch (r) {
                case 2, 3 -> withSeq(b, pick(0L, -1L, 1_000_000L + rnd.nextInt(99)));
                case 4 -> new BatchFinished(b.leaseId(), b.epoch(), b.seq(),
                        decoded(pick(null, "", "MAYBE", "completed"), BatchOutcome::fromWire), b.reason(), "",
                        List.of(), List.of());
                case 5 -> new BatchFinished(b.leaseId(), b.epoch(), b.seq(), b.outcome(),
                        decoded(pick(null, "Bad Reason", "no_such_reason", "x".repeat(100)), LeaseEndReason::fromWire),
                        "", List.of(), List.of());
                case 6 -> new BatchFinished(b.leaseId(), b.epoch(), b.seq(), b.outcome(), b.reason(),
                        pick(null, "sparc"), List.of(), List.of());
                case 7 -> new BatchFinished(b.leaseId(), b.epoch(), b.seq(), b.outcome(), b.reason(), "",
                        pick(null, Arrays.asList((BatchFinished.Unreached) null),
                                List.of(new BatchFinished.Unreached("../x", LeaseEndReason.AGENT_ERROR)),
                                List.of(new BatchFinished.Unreached("t.s1", LeaseEndReason.fromWire("Not A Reason"))),
                                List.of(new BatchFinished.Unreached("t.s1", LeaseEndReason.NONE))), List.of());
                default -> new BatchFinished(b.leaseId(), b.epoch(), b.seq(), b.outcome(), b.reason(), "", List.of(),
                        pick(null, Arrays.asList((BatchFinished.Iteration) null),
                                List.of(new BatchFinished.Iteration("sh", "x86_64", 1, IterationOutcome.SUCCESS)),
                                List.of(new BatchFinished.Iteration("host", "x86_64", -1, IterationOutcome.SUCCESS)),
                                List.of(new BatchFinished.Iteration("host", "x86_64", 1,
                                        IterationOutcome.fromWire("exploded")))));
            };
        }
        if (m instanceof BatchRefused b) {
            return new BatchRefused(b.leaseId(), b.epoch(),
                    decoded(pick(null, "", "No Way", "x".repeat(80)), RefusalReason::fromWire));
        }
        if (m instanceof LeaseHeartbeat h) {
            return switch (r) {
                case 2, 3 -> new LeaseHeartbeat(h.leaseId(), h.epoch(), pick(-1, 256, Integer.MAX_VALUE),
                        h.currentKey(), 1, 1, h.replyTo());
                case 4, 5 -> new LeaseHeartbeat(h.leaseId(), h.epoch(), h.slot(), pick(null, "../x", "a/b"), 1, 1,
                        h.replyTo());
                case 6, 7 -> new LeaseHeartbeat(h.leaseId(), h.epoch(), h.slot(), h.currentKey(), pick(-1, 2_000_000),
                        pick(-1L, Long.MIN_VALUE), h.replyTo());
                default -> new LeaseHeartbeat(h.leaseId(), h.epoch(), h.slot(), h.currentKey(), 1, 1, null);
            };
        }
        // BatchAccepted has nothing but its lease: only a broken id or epoch makes it malformed.
        return withLease(m, pick(null, "../x"), -1);
    }

    private static ExecutorMessage withSeq(ExecutorMessage m, long seq) {
        if (m instanceof SubtestStarted s) {
            return new SubtestStarted(s.leaseId(), s.epoch(), seq, s.resultKey(), s.iteration(), s.at());
        }
        if (m instanceof SubtestFinished f) {
            return new SubtestFinished(f.leaseId(), f.epoch(), seq, f.resultKey(), f.statusLine(), f.status(),
                    f.durationSecs(), f.startedAt(), f.finishedAt(), f.iteration(), f.fullLogKey(), f.run());
        }
        if (m instanceof LogChunk c) {
            return new LogChunk(c.leaseId(), c.epoch(), seq, c.kind(), c.resultKey(), c.iteration(), c.offset(),
                    c.totalSize(), c.data(), c.eof());
        }
        BatchFinished b = (BatchFinished) m;
        return new BatchFinished(b.leaseId(), b.epoch(), seq, b.outcome(), b.reason(), b.declaredArch(), b.unreached(),
                b.iterations());
    }

    private static ExecutorMessage withLease(ExecutorMessage m, String lease, long epoch) {
        if (m instanceof SubtestStarted s) {
            return new SubtestStarted(lease, epoch, s.seq(), s.resultKey(), s.iteration(), s.at());
        }
        if (m instanceof SubtestFinished f) {
            return new SubtestFinished(lease, epoch, f.seq(), f.resultKey(), f.statusLine(), f.status(),
                    f.durationSecs(), f.startedAt(), f.finishedAt(), f.iteration(), f.fullLogKey(), f.run());
        }
        if (m instanceof LogChunk c) {
            return new LogChunk(lease, epoch, c.seq(), c.kind(), c.resultKey(), c.iteration(), c.offset(),
                    c.totalSize(), c.data(), c.eof());
        }
        if (m instanceof BatchFinished b) {
            return new BatchFinished(lease, epoch, b.seq(), b.outcome(), b.reason(), b.declaredArch(), b.unreached(),
                    b.iterations());
        }
        if (m instanceof BatchRefused b) {
            return new BatchRefused(lease, epoch, b.reason());
        }
        if (m instanceof LeaseHeartbeat h) {
            return new LeaseHeartbeat(lease, epoch, h.slot(), h.currentKey(), h.iteration(), h.elapsedSecs(),
                    h.replyTo());
        }
        return new BatchAccepted(lease, epoch);
    }

    // ---- worker agent ----

    private void toDoor() {
        List<RunBatch> batches = farm.batches;
        RunBatch b = batches.get(rnd.nextInt(batches.size()));
        int r = rnd.nextInt(10);
        if (r < 4) {
            send(door, "agent_door", "run_batch", brokenBatch(b));
        } else if (r == 4) {
            // Out of order: no hello waits for an ack.
            send(door, "agent_door", "hello_ack", new HelloAck(1, rnd.nextBoolean(), pick("", null, "no\nway"),
                    7, pick(1, 0, 300, -1), 3, pick(12, -1), pick(List.of(), List.of(new HelloAck.Resume(b.leaseId(),
                    strangerExecutor, 1))), pick(List.of(), List.of(b.leaseId()), List.of("../x"))));
        } else if (r == 5) {
            send(door, "agent_door", "ack", new Ack(pick(b.leaseId(), "../x", null), pick(1_000_000_000L, -1L)));
        } else if (r == 6) {
            send(door, "agent_door", "heartbeat_ack", new HeartbeatAck(pick(b.leaseId(), null), b.epoch()
                    + pick(1, -1, 1000), false, pick(0L, -1L, Long.MAX_VALUE)));
        } else if (r == 7) {
            send(door, "agent_door", "reject", pick(new Reject(b.leaseId(), b.epoch(), 1, RejectReason.MALFORMED),
                    new Reject(b.leaseId(), b.epoch() + pick(1, -1), 1, RejectReason.STALE_LEASE),
                    new Reject(b.leaseId(), b.epoch(), -1, RejectReason.MALFORMED),
                    new Reject(b.leaseId(), b.epoch(), 1, decoded(pick(null, "No Reason"), RejectReason::fromWire))));
        } else if (r == 8) {
            send(door, "agent_door", "revoke", pick(new RevokeLease(b.leaseId(), b.epoch() + pick(1, -1, 9),
                    LeaseEndReason.ADMIN_REVOKE), new RevokeLease(b.leaseId(), b.epoch(),
                    decoded(pick(null, "Because!", "x".repeat(90)), LeaseEndReason::fromWire))));
        } else {
            send(door.<Object>unsafeUpcast(), "agent_door", "foreign", pick(hello(), new BatchAccepted(b.leaseId(),
                    b.epoch()), goodbye()));
        }
    }

    /**
     * A batch the agent must refuse before any slot touches it: malformed, or for a slot out of range, or with
     * an epoch every slot has passed (each ran a batch before the fuzzing starts).
     */
    private RunBatch brokenBatch(RunBatch b) {
        long epoch = 0;
        String leaseId = UUID.randomUUID().toString();
        return switch (rnd.nextInt(16)) {
            case 0 -> batch(b, leaseId, epoch, b.slot(), pick("../../victim", ".", "..", "a/b", "-x", null), b.commit(),
                    b.test(), b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 1 -> batch(b, leaseId, epoch, b.slot(), b.repo(), pick("abc", null, "g".repeat(40)), b.test(),
                    b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 2 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), pick("../x.ktest", "/etc/x.ktest",
                    "missing.ktest", null), b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), b.sources(),
                    b.fallbackUrl());
            case 3 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), pick("../x", "a//b",
                    "/a/../b", "a/./b", "/etc/sh adow", null), b.env(), b.arch(), b.subtests(), b.basename(),
                    b.sources(), b.fallbackUrl());
            case 4 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), "/etc/shadow", b.env(),
                    b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl()); // stale: never runs
            case 5 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(),
                    pick(Map.of("ktest_x", "a b"), Map.of("PATH", "/x"), nullMap()), b.arch(), b.subtests(),
                    b.basename(), b.sources(), b.fallbackUrl());
            case 6 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(),
                    pick("aarch64", "sparc", null), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 7 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(), b.arch(),
                    pick(null, List.of(), Arrays.asList((RunBatch.BatchSubtest) null),
                            List.of(new RunBatch.BatchSubtest("a;b", "t.a", 1)),
                            List.of(new RunBatch.BatchSubtest("a", "../x", 1)),
                            List.of(new RunBatch.BatchSubtest("a", "t.a", 1), new RunBatch.BatchSubtest("b", "t.a", 1)),
                            List.of(new RunBatch.BatchSubtest("a", "t.a", -1))), b.basename(), b.sources(),
                    b.fallbackUrl());
            case 8 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(), b.arch(),
                    b.subtests(), pick("../x", null, "a/b"), b.sources(), b.fallbackUrl());
            case 9 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(), b.arch(),
                    b.subtests(), b.basename(), b.sources(), pick("-upload-pack=x", "ext::sh -c x", "http://x",
                            "file:///x y"));
            case 10 -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(), b.arch(),
                    b.subtests(), b.basename(), pick(Arrays.asList((RunBatch.Source) null),
                            List.of(new RunBatch.Source("-x", "main")),
                            List.of(new RunBatch.Source("/r", "main:refs/heads/x")),
                            List.of(new RunBatch.Source("/r", "-x")), List.of(new RunBatch.Source("/r", "a..b"))),
                    b.fallbackUrl());
            case 11 -> batch(b, leaseId, epoch, pick(-1, 256, 5), b.repo(), b.commit(), b.test(), b.kernel(), b.env(),
                    b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 12 -> batch(b, pick("../x", null, ""), epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(),
                    b.env(), b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 13 -> batch(b, leaseId, pick(-1L, Long.MAX_VALUE), b.slot(), b.repo(), b.commit(), b.test(),
                    b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl());
            case 14 -> new RunBatch(leaseId, epoch, b.slot(), 1, b.repo(), b.commit(), b.sources(), b.fallbackUrl(),
                    b.test(), b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), pick(0, -1, 1_000_000_000),
                    strangerExecutor);
            default -> batch(b, leaseId, epoch, b.slot(), b.repo(), b.commit(), b.test(), b.kernel(), b.env(), b.arch(),
                    b.subtests(), b.basename(), b.sources(), b.fallbackUrl()); // only stale
        };
    }

    private static Map<String, String> nullMap() {
        Map<String, String> m = new HashMap<>();
        m.put("ktest_x", null);
        return m;
    }

    private RunBatch batch(RunBatch b, String leaseId, long epoch, int slot, String repo, String commit, String test,
                           String kernel, Map<String, String> env, String arch, List<RunBatch.BatchSubtest> subtests,
                           String basename, List<RunBatch.Source> sources, String fallbackUrl) {
        return new RunBatch(leaseId, epoch, slot, 1, repo, commit, sources, fallbackUrl, test, kernel, env, arch,
                subtests, basename, b.subtestTimeoutSecs(), strangerExecutor);
    }

    private void toAgentPath() {
        List<RunBatch> batches = farm.batches;
        RunBatch b = batches.get(rnd.nextInt(batches.size()));
        // Well-formed ones too: the agent's own path is never a coordinator's to use.
        AgentMessage m = pick(new HelloAck(1, true, "", 7, 2, 1, 6, List.of(), List.of(b.leaseId())),
                batch(b, UUID.randomUUID().toString(), Long.MAX_VALUE / 4, b.slot(), b.repo(), b.commit(), b.test(),
                        b.kernel(), b.env(), b.arch(), b.subtests(), b.basename(), b.sources(), b.fallbackUrl()),
                new RevokeLease(b.leaseId(), b.epoch(), LeaseEndReason.ADMIN_REVOKE), new Reject(b.leaseId(),
                        b.epoch(), 1,
                        RejectReason.STALE_LEASE), new HelloRequest(1), new Ack(b.leaseId(), 1_000_000));
        send(farm.agent, "agent_path", m.getClass().getSimpleName(), m);
    }

    // ---- plumbing ----

    @SuppressWarnings("unchecked")
    private <T> void send(ActorRef<? super T> to, String target, String kind, T message) {
        sent.merge(target + "/" + kind, 1, Integer::sum);
        total++;
        if (!crossesTheWire(message)) {
            undeliverable++;
        }
        ((ActorRef<Object>) (ActorRef<?>) to).tell(message);
    }

    /** Whether the message survives CBOR both ways (one that does not is dropped by the transport). */
    private boolean crossesTheWire(Object message) {
        try {
            var serializer = serialization.findSerializerFor(message);
            byte[] bytes = serialization.serialize(message).get();
            return serialization.deserialize(bytes, serializer.identifier(),
                    Serializers.manifestFor(serializer, message)).isSuccess();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private <T> T mutate(T value, int times, List<Function<T, T>> mutations) {
        T v = value;
        for (int i = 0; i < times; i++) {
            v = mutations.get(rnd.nextInt(mutations.size())).apply(v);
        }
        return v;
    }

    /** A string a peer put where this release has an enum: absent stays null, any string decodes as on the wire. */
    private static <E> E decoded(String wire, Function<String, E> fromWire) {
        return wire == null ? null : fromWire.apply(wire);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static Object or(String field, String name, Object v, Object current) {
        return field.equals(name) ? v : current;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
