package org.ktestci.coordinator.execution;

import org.ktestci.protocol.WireCheck;
import org.ktestci.protocol.WireRules;
import org.ktestci.protocol.WorkerGoodbye;
import org.ktestci.protocol.WorkerHello;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.ktestci.protocol.WireRules.quote;

/**
 * Every field of the gateway's wire messages, checked before the gateway acts on one (security.md, "Cluster
 * protocol"): a hello whose host could not name an actor, whose slot count would spawn millions of executors,
 * or whose text fields would forge log lines is refused with the reason.
 */
final class HelloCheck {
    static final Set<String> RUNNERS = Set.of("ktest", "host", "qemu");

    private HelloCheck() {
    }

    /** {@code configured}: {@code [hosts.<host>]}; its {@code slots}, when set, replaces the announced count. */
    static Optional<String> hello(WorkerHello h, HostSlots configured) {
        WireCheck c = new WireCheck()
                .check(h.agent() != null, "no agent ref")
                .check(WireRules.arch(h.arch()), () -> "arch " + quote(h.arch()) + " is neither x86_64 nor aarch64")
                .check(configured.slots().isPresent() || (h.slots() >= 1 && h.slots() <= WireRules.MAX_SLOTS),
                        () -> "slots " + h.slots() + " not in 1.." + WireRules.MAX_SLOTS)
                .check(WireRules.line(h.agentVersion(), 64), () -> "agentVersion " + quote(h.agentVersion()))
                .check(WireRules.line(h.ktestRevision(), WireRules.MAX_LINE),
                        () -> "ktestRevision " + quote(h.ktestRevision()))
                .check(WireRules.oneOf(RUNNERS, h.runner()), () -> "runner " + quote(h.runner()))
                .check(WireRules.line(h.kvmReason(), 512), () -> "kvmReason " + quote(h.kvmReason()))
                .check(h.memoryMib() >= 0, () -> "memoryMib " + h.memoryMib())
                .check(h.cpus() >= 0 && h.cpus() <= 1 << 16, () -> "cpus " + h.cpus())
                .check(h.activeLeases() != null && h.activeLeases().size() <= WireRules.MAX_SLOTS,
                        "activeLeases missing or longer than the slot limit");
        if (c.ok()) {
            Set<String> ids = new HashSet<>();
            for (WorkerHello.ActiveLease a : h.activeLeases()) {
                c.check(a != null, "null active lease");
                if (!c.ok()) {
                    break;
                }
                c.check(a.slot() >= 0 && a.slot() < WireRules.MAX_SLOTS, () -> "active lease slot " + a.slot())
                        .check(WireRules.leaseId(a.leaseId()) && ids.add(a.leaseId()),
                                () -> "active lease id " + quote(a.leaseId()))
                        .check(WireRules.epoch(a.epoch()), () -> "active lease epoch " + a.epoch())
                        .check(a.lastAckedSeq() >= 0 && a.lastSentSeq() >= a.lastAckedSeq(),
                                () -> "active lease sequence numbers " + a.lastSentSeq() + "/" + a.lastAckedSeq());
            }
        }
        return c.problem();
    }

    /** The host name first: until it is known good, nothing else of the hello is even logged with it. */
    static Optional<String> host(String host) {
        return WireRules.host(host) ? Optional.empty()
                : Optional.of("host " + quote(host) + " is not a host name (^[A-Za-z0-9.-]+$)");
    }

    static Optional<String> goodbye(WorkerGoodbye g) {
        List<String> leases = g.leases();
        return new WireCheck()
                .include(host(g.host()))
                .check(g.agent() != null, "no agent ref (only the agent that said hello may say goodbye)")
                .check(leases == null || (leases.size() <= WireRules.MAX_SLOTS
                        && leases.stream().allMatch(WireRules::leaseId)), "bad lease list")
                .problem();
    }
}
