package org.ktestci.schema.results;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.status.Status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our blobs decode with the reference Cap'n Proto tool and ktest's schema (our Java annotations stripped), so
 * ktest's own readers can read them. CI installs {@code capnproto}; elsewhere the test is skipped, never in CI.
 */
class CapnpReferenceDecodeTest {
    @Test
    void referenceDecoderReadsOurBlob(@TempDir Path dir) throws Exception {
        boolean haveCapnp = Files.isExecutable(Path.of("/usr/bin/capnp"));
        if (!haveCapnp && System.getenv("CI") != null) {
            fail("capnp (Debian package capnproto) is required in CI");
        }
        Assumptions.assumeTrue(haveCapnp, "capnp not installed");
        Path schema = dir.resolve("testresult.capnp");
        String ktestSchema = Files.readAllLines(Path.of("src/main/capnp/testresult.capnp")).stream()
                .filter(l -> !l.contains("Java")).collect(Collectors.joining("\n"));
        Files.writeString(schema, ktestSchema);
        String sha = "0123456789abcdef0123456789abcdef01234567";
        Path blob = dir.resolve(sha + ".capnp");
        CommitResultsCodec.writeAtomically(blob, new CommitResults(sha, "bcachefs: fix", List.of(
                new ResultEntry("fs.x.a", Status.FAILED_TO_RUN, 0, 5),
                new ResultEntry("fs.x.b", Status.PASSED, 12, 1_700_000_000L))));
        Process p = new ProcessBuilder("capnp", "decode", schema.toString(), "TestResults")
                .redirectInput(blob.toFile()).redirectErrorStream(true).start();
        // The decoder wraps long structs over several lines; compare with whitespace collapsed.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("name = \"fs.x.a\", duration = 0, status = failedToRun, starttime = 5"), out);
        assertTrue(out.contains("name = \"fs.x.b\", duration = 12, status = passed, starttime = 1700000000"), out);
        assertTrue(out.contains("message = \"bcachefs: fix\""), out);
        assertTrue(out.contains("commitId = \"" + sha + "\""), out);
    }

}
