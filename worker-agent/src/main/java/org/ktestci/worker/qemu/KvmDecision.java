package org.ktestci.worker.qemu;

/**
 * Whether this worker's VMs use KVM, and why (README decision 13): reported in the hello ({@code kvm},
 * {@code kvmReason}) so {@code /api/v1/workers} says what the agent decided, e.g. {@code false} with
 * "/dev/kvm does not exist" or "a probe VM took 14.2 s (KVM is used only below 10 s)".
 */
public record KvmDecision(boolean usable, String reason) {
    /** Longest reason sent: it travels in every hello. */
    static final int MAX_REASON = 300;

    public KvmDecision {
        // One line: the gateway refuses a hello whose text fields hold line breaks or NULs (security.md).
        reason = reason.replaceAll("[\\r\\n\\x00]+", " ");
        reason = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    }

    static KvmDecision yes(String reason) {
        return new KvmDecision(true, reason);
    }

    static KvmDecision no(String reason) {
        return new KvmDecision(false, reason);
    }
}
