package org.ktestci.worker.agent;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.protocol.RunBatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 12: every field of a RunBatch the worker acts on is checked; the ones it used to skip first. */
class BatchValidatorTest {
    @TempDir
    Path dir;

    private BatchValidator validator;

    @BeforeEach
    void ktest() throws Exception {
        Files.createDirectories(dir.resolve("ktest/tests/fs"));
        Files.writeString(dir.resolve("ktest/tests/fs/t.ktest"), "");
        Files.createDirectories(dir.resolve("kernels"));
        validator = new BatchValidator(dir.resolve("ktest"), Optional.of("x86_64"),
                new KernelPolicy(dir.resolve("store"), List.of(dir.resolve("kernels")), Optional.empty()));
    }

    private static RunBatch batch(String repo, String kernel, String fallback, String arch, String key,
                                  String basename, List<RunBatch.Source> sources) {
        return new RunBatch("0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011", 3, 0, 1, repo,
                "0123456789abcdef0123456789abcdef01234567", sources, fallback, "fs/t.ktest", kernel,
                Map.of("ktest_x", "1"), arch, List.of(new RunBatch.BatchSubtest("a/b", key, 30)), basename, 600, null);
    }

    private static RunBatch honest() {
        return batch("linux", "", "", "x86_64", "fs.t.a.b", "fs.t",
                List.of(new RunBatch.Source("https://example.net/linux.git", "refs/heads/main")));
    }

    private Optional<String> problem(RunBatch b) {
        return validator.malformation(b);
    }

    @Test
    void anHonestBatchPassesExceptForItsMissingExecutorRef() {
        assertEquals(Optional.of("no executor ref"), problem(honest()));
    }

    private void assertMalformed(String part, RunBatch b) {
        Optional<String> p = problem(b);
        assertTrue(p.isPresent() && p.get().contains(part), "expected '" + part + "', got " + p);
    }

    @Test
    void theRepoIsOneDirectoryNameInsideTheSlotAndTheMirrors() {
        for (String repo : new String[] {"..", ".", "../victim", "../../etc", "a/b", "", ".hidden", "x y"}) {
            assertMalformed("repo", batch(repo, "", "", "x86_64", "k", "b", List.of()));
        }
        assertTrue(BatchValidator.repo("bcachefs-tools"));
        assertTrue(BatchValidator.repo("linux.next"));
        assertFalse(BatchValidator.repo(null));
    }

    @Test
    void resultKeysAndTheBasenameAreSingleFileNames() {
        for (String key : new String[] {"../x", "..", "a/b", "", "k\n"}) {
            assertMalformed("result key", batch("linux", "", "", "x86_64", key, "b", List.of()));
            assertMalformed("basename", batch("linux", "", "", "x86_64", "k", key, List.of()));
        }
    }

    @Test
    void theArchIsThisWorkersAndTheFallbackAndSourcesCannotBeOptions() {
        assertMalformed("arch \"aarch64\" is not this worker's", batch("linux", "", "", "aarch64", "k", "b",
                List.of()));
        assertMalformed("arch \"sparc\"", batch("linux", "", "", "sparc", "k", "b", List.of()));
        for (String url : new String[] {"-upload-pack=touch /tmp/x", "ext::sh -c id", "http://x", "file:///a b"}) {
            assertMalformed("fallback url not allowed", batch("linux", "", url, "x86_64", "k", "b", List.of()));
            assertMalformed("source not allowed", batch("linux", "", "", "x86_64", "k", "b",
                    List.of(new RunBatch.Source(url, "main"))));
        }
        for (String ref : new String[] {"main:refs/heads/x", "-x", "a..b", "a b", "refs/heads/", "x.lock", "a@{1}"}) {
            assertMalformed("source not allowed", batch("linux", "", "", "x86_64", "k", "b",
                    List.of(new RunBatch.Source("/srv/linux", ref))));
        }
    }

    @Test
    void aRefusedUrlIsQuotedWithItsCredentialsMasked() {
        // http:// is refused; the reason still names the URL, and goes to the log and the coordinator.
        String url = "http://tok3n-s3cret@git.example.net/linux.git";
        String fallback = problem(batch("linux", "", url, "x86_64", "k", "b", List.of())).orElseThrow();
        String source = problem(batch("linux", "", "", "x86_64", "k", "b",
                List.of(new RunBatch.Source("http://user:p@ss/w0rd@git.example.net/linux.git", "main"))))
                .orElseThrow();
        assertTrue(fallback.contains("http://***@git.example.net"), fallback);
        assertTrue(!fallback.contains("tok3n-s3cret"), fallback);
        assertTrue(source.contains("http://***@git.example.net"), source);
        assertTrue(!source.contains("w0rd") && !source.contains("p@ss"), source);
    }

    @Test
    void aKernelIsAStoreIdOrAnAbsolutePathWithoutDotSegments() {
        for (String k : new String[] {"../x", "a/../b", "a/./b", "a//b", "/a/../etc/shadow", "/etc/sh adow", "a b"}) {
            assertMalformed("kernel", batch("linux", k, "", "x86_64", "k", "b", List.of()));
        }
        assertTrue(KernelPolicy.wellFormed("debian/bookworm"));
        assertTrue(KernelPolicy.wellFormed("/boot/vmlinuz-6.1.0+x"));
    }
}
