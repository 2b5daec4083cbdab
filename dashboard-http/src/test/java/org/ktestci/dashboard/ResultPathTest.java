package org.ktestci.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultPathTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void acceptsExactlyTheNamesOfTheTree() {
        assertEquals(ResultPath.Kind.BLOB, ResultPath.parse(SHA + ".capnp").kind());
        assertEquals(ResultPath.Kind.BLOB, ResultPath.parse("test_durations.capnp").kind());
        assertEquals(ResultPath.Kind.COMMIT_DIR, ResultPath.parse(SHA + "/").kind());
        assertEquals(new ResultPath(ResultPath.Kind.KEY_DIR, List.of(SHA, "fs.ec@k=v,x+y:z-1")),
                ResultPath.parse(SHA + "/fs.ec@k=v%2Cx+y:z-1/"));
        ResultPath log = ResultPath.parse(SHA + "/a..b/full_log.br");
        assertEquals(ResultPath.Kind.KEY_FILE, log.kind());
        assertEquals(true, log.isLog());
        assertEquals("GET, HEAD", log.kind().allow());
        assertEquals("GET", ResultPath.Kind.KEY_DIR.allow());
        assertEquals(true, ResultPath.parse(SHA + "/k/rerun-1.log.br").isLog(), "a re-run's log (issue 14)");
        assertEquals(true, ResultPath.parse(SHA + "/k/rerun-2.full_log.br").isLog());
    }

    @Test
    void refusesTraversalAndEncodedSeparatorsAsBadRequests() {
        for (String raw : List.of("..", ".", SHA + "/../x", SHA + "/./status", SHA + "/%2e%2E/x", SHA + "/k%2fstatus",
                SHA + "/k%5Cstatus", SHA + "/k\\status", SHA + "/k/status%00", SHA + "/k/status\0",
                SHA + "/%zz/status")) {
            HttpError e = assertThrows(HttpError.class, () -> ResultPath.parse(raw), raw);
            assertEquals(400, e.status(), raw);
        }
    }

    @Test
    void anythingElseIsNotFound() {
        for (String raw : List.of("", SHA, SHA.toUpperCase() + "/", SHA + ".capnp/", "x.capnp", SHA + "/k",
                SHA + "/k/status/", SHA + "/k/log", SHA + "/k/status/x", SHA + "//status", SHA + "/k b/status",
                "test_durations.capnp/x", SHA + ".capnp/k/status", SHA + "/k/.status.1.part", SHA + "/k/rerun-0.log.br",
                SHA + "/k/rerun-1.status", SHA + "/k/rerun-x.log.br", SHA + "/k/.rerun-1.log.br.L.1.part")) {
            HttpError e = assertThrows(HttpError.class, () -> ResultPath.parse(raw), raw);
            assertEquals(404, e.status(), raw);
        }
    }
}
