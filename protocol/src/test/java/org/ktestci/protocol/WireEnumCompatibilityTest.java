package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire enums keep the wire of the release that sent these fields as strings (protocol.md §5): every known
 * constant encodes to the same CBOR bytes as its old string did, those bytes decode back to it, and a string no
 * constant has decodes to {@code UNKNOWN} instead of failing. The {@code Old*} records are the 0.1.0 shapes.
 */
class WireEnumCompatibilityTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Serialization SERIALIZATION = SerializationExtension.get(Adapter.toClassic(KIT.system()));

    record OldBatchFinished(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                            @JsonProperty("seq") long seq, @JsonProperty("outcome") String outcome,
                            @JsonProperty("reason") String reason, @JsonProperty("declaredArch") String declaredArch,
                            @JsonProperty("unreached") List<OldUnreached> unreached,
                            @JsonProperty("iterations") List<OldIteration> iterations) implements CborSerializable {
    }

    record OldUnreached(@JsonProperty("resultKey") String resultKey, @JsonProperty("reason") String reason) {
    }

    record OldIteration(@JsonProperty("runner") String runner, @JsonProperty("arch") String arch,
                        @JsonProperty("seconds") long seconds, @JsonProperty("outcome") String outcome) {
    }

    record OldBatchRefused(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                           @JsonProperty("reason") String reason) implements CborSerializable {
    }

    record OldReject(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                     @JsonProperty("seq") long seq, @JsonProperty("reason") String reason) implements CborSerializable {
    }

    record OldRevokeLease(@JsonProperty("leaseId") String leaseId, @JsonProperty("epoch") long epoch,
                          @JsonProperty("reason") String reason) implements CborSerializable {
    }

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void batchOutcomeIsTheOldStringOnTheWire() {
        for (BatchOutcome o : known(BatchOutcome.values())) {
            assertSameWire(finished(o, LeaseEndReason.NONE, LeaseEndReason.NONE, IterationOutcome.SUCCESS),
                    oldFinished(o.wireName(), "", "", "success"));
        }
        assertEquals(BatchOutcome.UNKNOWN, decoded(oldFinished("MAYBE", "", "", "success"), BatchFinished.class)
                .outcome());
        assertEquals(List.of("COMPLETED", "INFRA_FAILURE", "ARCH_MISMATCH"), wireNames(BatchOutcome.values()));
    }

    @Test
    void leaseEndReasonIsTheOldStringInEveryFieldThatCarriesIt() {
        for (LeaseEndReason r : known(LeaseEndReason.values())) {
            assertSameWire(finished(BatchOutcome.INFRA_FAILURE, r, r, IterationOutcome.CHILD_EXIT),
                    oldFinished("INFRA_FAILURE", r.wireName(), r.wireName(), "child_exit"));
            assertSameWire(new RevokeLease("l1", 7, r), new OldRevokeLease("l1", 7, r.wireName()));
        }
        BatchFinished crafted = decoded(oldFinished("INFRA_FAILURE", "Bad Reason", "no_such_reason", "success"),
                BatchFinished.class);
        assertEquals(LeaseEndReason.UNKNOWN, crafted.reason());
        assertEquals(LeaseEndReason.UNKNOWN, crafted.unreached().get(0).reason());
        assertEquals(LeaseEndReason.UNKNOWN, decoded(new OldRevokeLease("l1", 7, "Because!"), RevokeLease.class)
                .reason());
    }

    @Test
    void iterationOutcomeIsTheOldStringOnTheWire() {
        for (IterationOutcome e : known(IterationOutcome.values())) {
            assertSameWire(finished(BatchOutcome.COMPLETED, LeaseEndReason.NONE, LeaseEndReason.SUBTEST_NOT_FOUND, e),
                    oldFinished("COMPLETED", "", "subtest_not_found", e.wireName()));
        }
        assertEquals(IterationOutcome.UNKNOWN, decoded(oldFinished("COMPLETED", "", "subtest_not_found", "exploded"),
                BatchFinished.class).iterations().get(0).outcome());
    }

    @Test
    void refusalReasonIsTheOldStringOnTheWire() {
        for (RefusalReason r : known(RefusalReason.values())) {
            assertSameWire(new BatchRefused("l1", 7, r), new OldBatchRefused("l1", 7, r.wireName()));
        }
        assertEquals(RefusalReason.UNKNOWN, decoded(new OldBatchRefused("l1", 7, "No Way"), BatchRefused.class)
                .reason());
    }

    @Test
    void rejectReasonIsTheOldStringOnTheWire() {
        for (RejectReason r : known(RejectReason.values())) {
            assertSameWire(new Reject("l1", 7, 5, r), new OldReject("l1", 7, 5, r.wireName()));
        }
        assertEquals(List.of("stale_lease", "wrong_host", "malformed"), wireNames(RejectReason.values()));
        assertEquals(RejectReason.UNKNOWN, decoded(new OldReject("l1", 7, 5, "No Reason"), Reject.class).reason());
    }

    /** A field a peer left out stays null; the checks refuse null and UNKNOWN alike. */
    @Test
    void anAbsentOrNullFieldIsNotKnown() {
        Reject r = decoded(new OldReject("l1", 7, 5, null), Reject.class);
        assertEquals(null, r.reason());
        assertFalse(WireRules.known(r.reason()));
        assertFalse(WireRules.known(RejectReason.UNKNOWN));
        assertTrue(WireRules.known(RejectReason.MALFORMED));
        assertEquals("unknown", WireRules.quote(RejectReason.UNKNOWN));
        assertEquals("\"malformed\"", WireRules.quote(RejectReason.MALFORMED));
        assertEquals(RejectReason.UNKNOWN, RejectReason.fromWire(null));
        assertEquals(RejectReason.UNKNOWN, RejectReason.fromWire("?"), "UNKNOWN's own wire form stays unknown");
    }

    private static BatchFinished finished(BatchOutcome o, LeaseEndReason reason, LeaseEndReason unreached, IterationOutcome run) {
        return new BatchFinished("l1", 7, 4, o, reason, "", List.of(new BatchFinished.Unreached("t.a", unreached)),
                List.of(new BatchFinished.Iteration("qemu", "x86_64", 3, run)));
    }

    private static OldBatchFinished oldFinished(String outcome, String reason, String unreached, String run) {
        return new OldBatchFinished("l1", 7, 4, outcome, reason, "", List.of(new OldUnreached("t.a", unreached)),
                List.of(new OldIteration("qemu", "x86_64", 3, run)));
    }

    /** Same bytes both ways, and the old bytes read under the new class's manifest give the new message. */
    private static void assertSameWire(Object now, Object old) {
        byte[] nowBytes = SERIALIZATION.serialize(now).get();
        assertArrayEquals(SERIALIZATION.serialize(old).get(), nowBytes, now.toString());
        assertEquals(now, decoded(old, now.getClass()), now.toString());
    }

    private static <T> T decoded(Object old, Class<T> as) {
        byte[] bytes = SERIALIZATION.serialize(old).get();
        Serializer serializer = SERIALIZATION.findSerializerFor(old);
        String manifest = as.getName(); // jackson-cbor's manifest is the class name (protocol.md §5)
        assertEquals(Serializers.manifestFor(serializer, old), old.getClass().getName());
        return as.cast(SERIALIZATION.deserialize(bytes, serializer.identifier(), manifest).get());
    }

    private static <E extends WireEnum> List<E> known(E[] values) {
        List<E> k = Arrays.stream(values).filter(WireEnum::known).toList();
        assertNotEquals(values.length, k.size(), "every wire enum has an UNKNOWN");
        return k;
    }

    private static <E extends WireEnum> List<String> wireNames(E[] values) {
        return known(values).stream().map((Function<E, String>) WireEnum::wireName).toList();
    }
}
