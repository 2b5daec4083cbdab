package org.ktestci.coordinator.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.results.Observation;
import org.ktestci.schema.results.OutputDir;
import org.ktestci.schema.status.Status;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The per-key files of the projection, and where a key's {@code full_log.br} points. */
class CommitProjectionTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static ResultRecord verdict(String key, String fullLogKey, int fullLogRerun) {
        return ResultRecord.claimed(key, "L1", "farm1", 0, "x86_64", 1, 100)
                .withVerdict(Status.PASSED, "========= PASSED " + key + " in 1s", 1, 100, fullLogKey, fullLogRerun, "");
    }

    @Test
    void aKeyLinksTheLogOfTheRunItWasIn(@TempDir Path dir) throws Exception {
        OutputDir out = new OutputDir(dir);
        CommitProjection projection = new CommitProjection(out, sha -> "msg", ProjectionListener.NONE);
        Map<String, ResultRecord> records = new LinkedHashMap<>();
        records.put("t.first", verdict("t.first", "t.first", 0));
        records.put("t.same", verdict("t.same", "t.first", 0));
        records.put("t.afterRerun", verdict("t.afterRerun", "t.failing", 2));
        records.put("t.rerunSecond", verdict("t.rerunSecond", "t.rerunSecond", 0).withObservation(new Observation(1,
                Status.FAILED, "========= FAILED t.rerunSecond in 1s", 1, "farm2", 0, "L2", 200, "t.failing", 3)));
        records.put("t.rerunFirst", verdict("t.rerunFirst", "t.rerunFirst", 0).withObservation(new Observation(1,
                Status.FAILED, "========= FAILED t.rerunFirst in 1s", 1, "farm2", 0, "L2", 200, "t.rerunFirst", 1)));
        projection.render(SHA, records, Set.of());

        assertFalse(Files.exists(out.keyDir(SHA, "t.first").resolve(OutputDir.FULL_LOG)),
                "the batch's first key gets the uploaded log itself, not a link");
        assertEquals(Path.of("..", "t.first", "full_log.br"),
                Files.readSymbolicLink(out.keyDir(SHA, "t.same").resolve(OutputDir.FULL_LOG)));
        assertEquals(Path.of("..", "t.failing", "rerun-2.full_log.br"),
                Files.readSymbolicLink(out.keyDir(SHA, "t.afterRerun").resolve(OutputDir.FULL_LOG)),
                "the run's first subtest ran as its re-run 2, whose log is kept beside its verdict's");
        assertEquals(Path.of("..", "t.failing", "rerun-3.full_log.br"),
                Files.readSymbolicLink(out.keyDir(SHA, "t.rerunSecond").resolve("rerun-1.full_log.br")),
                "a re-run that was not its batch's first subtest links that subtest's log of the run");
        assertFalse(Files.exists(out.keyDir(SHA, "t.rerunFirst").resolve("rerun-1.full_log.br"),
                LinkOption.NOFOLLOW_LINKS), "a re-run that led its batch gets the uploaded log itself");
    }
}
