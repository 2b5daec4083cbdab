package org.ktestci.worker.agent;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.ktestci.protocol.LogChunk;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReporterTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    void postsEachReportToTheSlotInTheOrderMade() {
        TestProbe<SlotRunner.Command> slot = KIT.createTestProbe();
        RunReporter reporter = new RunReporter(slot.ref(), "L1");
        reporter.runInfo(1, "qemu …");
        reporter.subtestStarted("t.a", 1, 5);
        reporter.consoleLine("hello");
        reporter.subtestFinished("t.a", "========= PASSED a in 0s", "PASSED", 0, 5, 6, 1, "t.a");
        assertEquals(new SlotRunner.FromRun("L1", new RunEvent.Runner(1, "qemu …")), slot.receiveMessage());
        assertEquals(new SlotRunner.FromRun("L1", new RunEvent.Began("t.a", 1, 5)), slot.receiveMessage());
        assertEquals(new SlotRunner.FromRun("L1", new RunEvent.Console("hello")), slot.receiveMessage());
        assertEquals(new SlotRunner.FromRun("L1", new RunEvent.Verdict("t.a", "========= PASSED a in 0s", "PASSED",
                0, 5, 6, 1, "t.a")), slot.receiveMessage());
    }

    @Test
    void cutsAnArtifactIntoChunksBelowTheFrameSizeThatAddUpToIt() throws Exception {
        TestProbe<SlotRunner.Command> slot = KIT.createTestProbe();
        byte[] artifact = new byte[2 * LogChunk.MAX_CHUNK_BYTES + 17];
        new Random(1).nextBytes(artifact);
        new RunReporter(slot.ref(), "L1").artifact("t.a", LogChunk.KIND_LOG, 2, artifact);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            SlotRunner.FromRun r = (SlotRunner.FromRun) slot.receiveMessage();
            RunEvent.ArtifactPart p = (RunEvent.ArtifactPart) r.event();
            assertEquals(joined.size(), p.offset());
            assertEquals(artifact.length, p.totalSize());
            assertTrue(p.data().length <= LogChunk.MAX_CHUNK_BYTES);
            assertEquals(i == 2, p.eof());
            assertEquals(2, p.iteration());
            joined.write(p.data());
        }
        assertArrayEquals(artifact, joined.toByteArray());
        slot.expectNoMessage();
    }

    @Test
    void anEmptyArtifactIsOneEmptyLastChunk() {
        TestProbe<SlotRunner.Command> slot = KIT.createTestProbe();
        new RunReporter(slot.ref(), "L1").artifact("t.a", LogChunk.KIND_FULL_LOG, 1, new byte[0]);
        RunEvent.ArtifactPart p = (RunEvent.ArtifactPart) ((SlotRunner.FromRun) slot.receiveMessage()).event();
        assertEquals(0, p.data().length);
        assertTrue(p.eof());
        assertEquals(0, p.totalSize());
        assertFalse(p.data().length > 0);
    }
}
