package org.ktestci.schema.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * list-tests and deps answer on standard output, as ktest reads them. ktest's lib/common.sh complains on stderr
 * when the host has no cross.conf; those words once became subtests named "directory", "such" and "line".
 */
class TestListingTest {
    static final String TEST = """
            #!/bin/bash
            echo "/ktest/tests/../lib/common.sh: line 8: /ktest/cross.conf: No such file or directory" >&2
            echo "ktest_mem=9999" >&2
            case $1 in
                list-tests) echo "alpha beta" ;;
                deps) echo "ktest_mem=512" ;;
                broken) echo "half a listing"; echo "it went wrong" >&2; exit 3 ;;
            esac
            """;

    @TempDir
    Path dir;

    @Test
    void namesAndDeclarationsComeFromStandardOutputOnly() throws Exception {
        Path t = dir.resolve("t.ktest");
        Files.writeString(t, TEST);
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(List.of("alpha", "beta"), TestListing.list(t));
        ProcessCapture.Result deps = ProcessCapture.run(List.of(t.toString(), "deps"), dir, null,
                Duration.ofSeconds(10));
        assertEquals("ktest_mem=512", deps.output().strip());
        ProcessCapture.Result broken = ProcessCapture.run(List.of(t.toString(), "broken"), dir, null,
                Duration.ofSeconds(10));
        assertEquals(3, broken.exitCode());
        assertTrue(broken.transcript().contains("it went wrong"), "errors keep both streams: " + broken);
    }

    @Test
    void aFailedListingSaysWhatTheFileSaid() throws Exception {
        Path t = dir.resolve("bad.ktest");
        Files.writeString(t, "#!/bin/bash\necho 'syntax error near x' >&2\nexit 2\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        var e = assertThrows(IOException.class, () -> TestListing.list(t));
        assertTrue(e.getMessage().contains("exited with status 2: syntax error near x"), e.getMessage());
    }

    @Test
    void namesAreSplitOnWhitespaceDeduplicatedAndCheckedAgainstTheSubtestAlphabet() {
        assertEquals(List.of("a", "b/c", "d"), TestListing.parse("t", "a b/c\n a d bad$name\n"));
    }
}
