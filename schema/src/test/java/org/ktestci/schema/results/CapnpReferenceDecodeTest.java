package org.ktestci.schema.results;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.durations.DurationStat;
import org.ktestci.schema.durations.DurationsCodec;
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
    /** Our schema file without its Java annotations (what ktest has), in {@code dir}; skips without capnp. */
    private static Path ktestSchema(Path dir, String name) throws Exception {
        boolean haveCapnp = Files.isExecutable(Path.of("/usr/bin/capnp"));
        if (!haveCapnp && System.getenv("CI") != null) {
            fail("capnp (Debian package capnproto) is required in CI");
        }
        Assumptions.assumeTrue(haveCapnp, "capnp not installed");
        Path schema = dir.resolve(name);
        Files.writeString(schema, Files.readAllLines(Path.of("src/main/capnp", name)).stream()
                .filter(l -> !l.contains("Java")).collect(Collectors.joining("\n")));
        return schema;
    }

    /** {@code capnp decode schema struct < blob}, whitespace collapsed (the decoder wraps long structs). */
    private static String decode(Path schema, String struct, Path blob) throws Exception {
        Process p = new ProcessBuilder("capnp", "decode", schema.toString(), struct)
                .redirectInput(blob.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void referenceDecoderReadsOurDurations(@TempDir Path dir) throws Exception {
        Path schema = ktestSchema(dir, "durations.capnp");
        Path blob = dir.resolve(OutputDir.DURATIONS_BLOB);
        DurationsCodec.writeAtomically(blob, List.of(
                new DurationStat("fs.x.b", 12, 3, 2, 1),
                new DurationStat("fs.x.a", 0, 1, 0, 0)));
        assertEquals("( entries = [ (test = \"fs.x.a\", duration = 0, nr = 1, passed = 0, failed = 0), "
                + "(test = \"fs.x.b\", duration = 12, nr = 3, passed = 2, failed = 1) ] ) ",
                decode(schema, "Durations", blob), "entries sorted by test, every field where ktest reads it");
    }

    @Test
    void referenceDecoderReadsOurBlob(@TempDir Path dir) throws Exception {
        Path schema = ktestSchema(dir, "testresult.capnp");
        String sha = "0123456789abcdef0123456789abcdef01234567";
        Path blob = dir.resolve(sha + ".capnp");
        CommitResultsCodec.writeAtomically(blob, new CommitResults(sha, "bcachefs: fix", List.of(
                new ResultEntry("fs.x.a", Status.FAILED_TO_RUN, 0, 5),
                new ResultEntry("fs.x.b", Status.PASSED, 12, 1_700_000_000L))));
        String out = decode(schema, "TestResults", blob);
        assertTrue(out.contains("name = \"fs.x.a\", duration = 0, status = failedToRun, starttime = 5"), out);
        assertTrue(out.contains("name = \"fs.x.b\", duration = 12, status = passed, starttime = 1700000000"), out);
        assertTrue(out.contains("message = \"bcachefs: fix\""), out);
        assertTrue(out.contains("commitId = \"" + sha + "\""), out);
    }

}
