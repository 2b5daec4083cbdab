package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.ktestci.schema.results.FailureReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code reason} object of {@code /api/v1/commits/{sha}} (docs/api.md) back into a {@link FailureReason}. */
final class ReasonJson {
    private ReasonJson() {
    }

    static FailureReason read(JsonNode r) {
        List<FailureReason.Attempt> attempts = new ArrayList<>();
        for (JsonNode a : r.path("attempts")) {
            attempts.add(new FailureReason.Attempt(a.path("attempt").asInt(), a.path("host").asText(""),
                    a.path("slot").asInt(), a.path("lease_id").asText(""), a.path("reason").asText(""),
                    a.hasNonNull("at") ? Instant.parse(a.get("at").asText()).getEpochSecond() : 0));
        }
        return new FailureReason(r.path("code").asText(""), attempts);
    }
}
