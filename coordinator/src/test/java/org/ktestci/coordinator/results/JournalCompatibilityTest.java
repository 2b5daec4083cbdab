package org.ktestci.coordinator.results;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.coordinator.scheduling.JobKey;
import org.ktestci.coordinator.scheduling.WindowEvent;
import org.ktestci.coordinator.testing.InMemoryJournal;
import org.ktestci.schema.status.Status;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Journals written before issue 14 recover: events and snapshots of that time, as the jackson-json binding wrote
 * them, still deserialize, the fields added since taking their "absent" values.
 */
class JournalCompatibilityTest {
    private static final ActorTestKit KIT = ActorTestKit.create("JournalCompatibilityTest", InMemoryJournal.config());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Deserializes {@code json} with the binding and manifest the journal uses for {@code like}'s class. */
    static Object read(Object like, String json) {
        Serialization s = SerializationExtension.get(KIT.system());
        var serializer = s.findSerializerFor(like);
        String manifest = Serializers.manifestFor(serializer, like);
        return s.deserialize(json.getBytes(StandardCharsets.UTF_8), serializer.identifier(), manifest).get();
    }

    @Test
    void aClaimReleasedWithoutPerKeyReasonsOrTime() {
        Object e = read(new CommitEvent.ClaimReleased("c", List.of(), "L", "r", Map.of(), 1),
                "{\"commit\":\"c\",\"keys\":[\"t.a\"],\"leaseId\":\"L1\",\"reason\":\"lease_timeout\"}");
        CommitEvent.ClaimReleased r = (CommitEvent.ClaimReleased) e;
        assertEquals(List.of("t.a"), r.keys());
        assertEquals(Map.of(), r.reasons());
        assertEquals(0, r.at());
        assertEquals("lease_timeout", r.reasonOf("t.a"));
    }

    @Test
    void aSnapshotWithoutAttempts() {
        Object s = read(new CommitSnapshot(List.of(), Map.of()), "{\"records\":[{\"key\":\"t.a\","
                + "\"status\":\"FAILED_TO_RUN\",\"statusLine\":\"FAILED TO RUN\",\"duration\":0,\"starttime\":5,"
                + "\"leaseId\":\"L\",\"host\":\"h\",\"slot\":1,\"arch\":\"x86_64\",\"attempt\":3,"
                + "\"fullLogKey\":\"\",\"reason\":\"lease_timeout\",\"run\":\"\"}]}");
        CommitSnapshot snap = (CommitSnapshot) s;
        ResultRecord r = snap.records().get(0);
        assertEquals(Status.FAILED_TO_RUN, r.status());
        assertEquals(List.of(), r.attempts());
        assertEquals(List.of(), r.observations(), "no re-runs before issue 14 item 4");
        assertEquals(Map.of(), snap.released());
        assertEquals("lease_timeout", r.failureReason().orElseThrow().code());
    }

    @Test
    void windowJobsWithoutAnObservationNumberOrAHostToAvoid() {
        var like = new WindowEvent.WindowReconciled(List.of(), List.of(),
                List.of(), "t", 1);
        Object e = read(like, "{\"added\":[{\"key\":{\"commit\":\"c\",\"test\":\"t.ktest\",\"subtest\":\"a\","
                + "\"kernel\":\"\",\"env\":\"\",\"archId\":\"\"},\"resultKey\":\"t.a\",\"basename\":\"t\","
                + "\"env\":{},\"repo\":\"linux\",\"sources\":[],\"weight\":3,\"priority\":0,\"branch\":\"main\","
                + "\"group\":\"g\",\"cost\":10,\"allowedArches\":[\"x86_64\"],\"listingIndex\":0}],\"updated\":[],"
                + "\"removed\":[],\"trigger\":\"startup\",\"at\":1}");
        var job = ((WindowEvent.WindowReconciled) e).added().get(0);
        assertEquals(0, job.key().observation(), "the job that gives the verdict");
        assertEquals("", job.avoidHost());
        assertEquals(new JobKey("c", "t.ktest", "a", "", "", ""), job.key());
    }
}
