package org.ktestci.coordinator.execution;

import org.ktestci.coordinator.metrics.CoordinatorMetrics;
import org.ktestci.coordinator.scheduling.SchedulerSettings;
import org.ktestci.protocol.HelloAck;
import org.ktestci.protocol.ProtocolVersion;
import org.ktestci.protocol.RejectReason;
import org.ktestci.protocol.WorkerHello;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Whether a {@link WorkerHello} is admitted (protocol.md §3), and the {@link HelloAck} that says so: the
 * {@link WorkerGateway}'s rules without its actor, so they read in one place.
 */
final class HelloAdmission {
    private final Function<String, HostSlots> hostConfig;
    private final Supplier<SchedulerSettings> settings;
    private final CoordinatorMetrics metrics;
    private final int incarnation;

    HelloAdmission(Function<String, HostSlots> hostConfig, Supplier<SchedulerSettings> settings,
                   CoordinatorMetrics metrics, int incarnation) {
        this.hostConfig = hostConfig;
        this.settings = settings;
        this.metrics = metrics;
        this.incarnation = incarnation;
    }

    /**
     * Why a hello is refused: another protocol version, a field out of its rules (counted), a configured arch
     * that differs, or a host already connected through another agent ({@code known}, the host's record if any).
     */
    Optional<String> refusal(WorkerHello h, Function<String, GatewayState.Host> known) {
        if (h.protocolVersion() != ProtocolVersion.CURRENT) {
            return Optional.of("protocol version " + h.protocolVersion() + " not supported (coordinator speaks "
                    + ProtocolVersion.CURRENT + ")");
        }
        Optional<String> bad = HelloCheck.host(h.host());
        HostSlots cfg = bad.isPresent() ? HostSlots.UNCONFIGURED : hostConfig.apply(h.host());
        bad = bad.or(() -> HelloCheck.hello(h, cfg));
        if (bad.isPresent()) {
            metrics.protocolRejects.labelValues("gateway", "WorkerHello", RejectReason.MALFORMED.wireName()).inc();
            return bad;
        }
        if (cfg.arch().isPresent() && !cfg.arch().get().equals(h.arch())) {
            return Optional.of("arch mismatch: config says " + cfg.arch().get() + ", host says " + h.arch());
        }
        GatewayState.Host host = known.apply(h.host());
        if (host != null && !host.hello().agent().equals(h.agent())) {
            return Optional.of("host " + h.host() + " is already connected from "
                    + host.hello().agent().path().address());
        }
        return Optional.empty();
    }

    /** The slots an admitted host runs: its configured count, else what it announced. */
    Optional<Integer> configuredSlots(String host) {
        return hostConfig.apply(host).slots();
    }

    HelloAck accepted(int slots, List<HelloAck.Resume> resume, List<String> abandon) {
        SchedulerSettings s = settings.get();
        return new HelloAck(ProtocolVersion.CURRENT, true, "", incarnation, slots,
                (int) s.heartbeatInterval().toSeconds(), (int) s.leaseTimeout().toSeconds(), resume, abandon);
    }

    HelloAck refused(String reason) {
        return HelloAck.refused(incarnation, reason);
    }
}
