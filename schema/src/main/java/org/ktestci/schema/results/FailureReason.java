package org.ktestci.schema.results;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a result is Failed to run (storage.md §4, issue 14): the reason of its last attempt and every attempt that
 * ended without a verdict, oldest first. {@code code} is a reason of scheduling.md §8 ({@code lease_timeout},
 * {@code checkout_failed}, …).
 */
public record FailureReason(String code, List<Attempt> attempts) {
    public FailureReason {
        attempts = List.copyOf(attempts);
    }

    /**
     * One attempt: its number (a job's counted failures + 1 when it was leased), where it ran, the lease, why it
     * ended without a verdict and when (unix seconds; 0 = not recorded, journals written before it was).
     */
    public record Attempt(int attempt, String host, int slot, String leaseId, String reason, long at) {
        /** {@code at} as RFC 3339, or {@code -} when unknown. */
        public String atText() {
            return at > 0 ? Instant.ofEpochSecond(at).toString() : "-";
        }
    }

    /** The {@code reason} object of {@code /api/v1} and {@code format=json}: {@code {code, attempts: […]}}. */
    public Map<String, Object> toJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Attempt a : attempts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attempt", a.attempt());
            m.put("host", a.host());
            m.put("slot", a.slot());
            m.put("lease_id", a.leaseId());
            m.put("reason", a.reason());
            m.put("at", a.at() > 0 ? Instant.ofEpochSecond(a.at()).toString() : null);
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", code);
        out.put("attempts", list);
        return out;
    }

    /** One line for terminals and tables: {@code lease_timeout (3 attempts: farm1:2, farm2:0, farm1:1)}. */
    public String summary() {
        StringBuilder b = new StringBuilder(code);
        if (!attempts.isEmpty()) {
            b.append(" (").append(attempts.size()).append(attempts.size() == 1 ? " attempt: " : " attempts: ");
            for (int i = 0; i < attempts.size(); i++) {
                Attempt a = attempts.get(i);
                b.append(i == 0 ? "" : ", ").append(a.host()).append(':').append(a.slot());
                if (!a.reason().equals(code)) {
                    b.append(' ').append(a.reason());
                }
            }
            b.append(')');
        }
        return b.toString();
    }
}
