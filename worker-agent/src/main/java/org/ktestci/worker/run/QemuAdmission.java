package org.ktestci.worker.run;

import org.ktestci.protocol.LeaseEndReason;
import org.ktestci.protocol.RunBatch;
import org.ktestci.worker.qemu.KernelImage;
import org.ktestci.worker.qemu.KvmProbe;
import org.ktestci.worker.qemu.QemuSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Whether a batch may start on the {@code qemu} runner now, before its first VM (ktest-interface.md §6.3): the
 * runner is configured, the root image (if any) is readable, enough memory is free for the VM (waiting up to
 * 600 s), and whether KVM can be used for the job's arch, else TCG.
 */
final class QemuAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(BatchExecution.class);

    /** Refused as the infrastructure failure {@code refusal}, or admitted, with or without KVM. */
    record Decision(Optional<LeaseEndReason> refusal, boolean kvm) {
        static Decision refused(LeaseEndReason reason) {
            return new Decision(Optional.of(reason), false);
        }
    }

    private QemuAdmission() {
    }

    static Decision decide(RunBatch batch, SlotSettings slot, Optional<QemuSettings> qemu, Deps deps,
                           Map<String, String> agentEnv, BooleanSupplier aborted, AgentLog agentLog)
            throws IOException {
        if (qemu.isEmpty()) {
            agentLog.line("the qemu runner is not configured on this worker");
            return Decision.refused(LeaseEndReason.RUNNER_FAILED);
        }
        QemuSettings q = qemu.get();
        try {
            QemuLaunch.checkRootImage(q);
        } catch (QemuLaunch.NoRootImage e) {
            agentLog.line(e.getMessage());
            LOG.warn("{}: slot={} lease={} commit={}", e.getMessage(), slot.slot(), batch.leaseId(), batch.commit());
            return Decision.refused(LeaseEndReason.NO_ROOT_IMAGE);
        }
        Optional<Path> probeKernel = QemuLaunch.kernelImage(batch, q).map(KernelImage::vmlinuz);
        long vmMib = deps.value("ktest_mem").map(QemuLaunch::mebibytes).orElse(1024);
        try {
            if (!MemoryAdmission.await(vmMib, Duration.ofSeconds(5), Duration.ofSeconds(600), aborted)) {
                agentLog.line("MemAvailable stayed below " + (vmMib + 512) + " MiB for 600 s");
                return Decision.refused(LeaseEndReason.MEMORY_UNAVAILABLE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Decision.refused(LeaseEndReason.WORKER_SHUTDOWN);
        }
        boolean kvm = probeKernel.isPresent() && KvmProbe.usable(batch.arch(), q.hostArch(), q.qemuBinary(),
                probeKernel.get(), agentEnv);
        if (!kvm) {
            agentLog.line("KVM unavailable, using TCG");
        }
        return new Decision(Optional.empty(), kvm);
    }
}
