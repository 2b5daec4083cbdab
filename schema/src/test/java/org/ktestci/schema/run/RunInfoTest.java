package org.ktestci.schema.run;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run string: what a worker sends, what earlier workers sent, and the repro script made from it. */
class RunInfoTest {
    static final RunInfo QEMU = RunInfo.of("qemu", List.of("qemu-system-x86_64", "-kernel",
                    "/store/debian/forky/x86_64/6.1/vmlinuz", "-append", "console=ttyS0 quiet",
                    "-drive", "file=/w/slot-1/ktest-tmp/scratch0,if=virtio"),
            "/w/slot-1", Map.of("KTEST_SUPERVISOR", "1", "ktest_deps_dir", "/w/slot-1", "ktest_x", "it's"),
            new RunInfo.Images("debian/forky", "6.1.0-1", "/store/debian/forky/x86_64/6.1/vmlinuz",
                    "a".repeat(64), "b".repeat(64), "", "").withRootImage("/var/lib/ktest-ci/root.x86_64",
                    "c".repeat(64)),
            "d".repeat(40), "/k", "/w/slot-1/linux", "/w/slot-1");

    @Test
    void aRunStringKeepsTheOneLineSummaryOfEarlierVersionsFirst() {
        String s = QEMU.format();
        String first = s.lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("runner=qemu command=qemu-system-x86_64 -kernel "), first);
        assertTrue(first.endsWith(" kernel=debian/forky version=6.1.0-1 initramfs_sha256=" + "b".repeat(64)
                + " root_image=/var/lib/ktest-ci/root.x86_64 test_revision=" + "d".repeat(40)), first);
    }

    @Test
    void parsesBackEveryField() {
        assertEquals(QEMU, RunInfo.parse(QEMU.format()));
    }

    @Test
    void readsTheSummaryAloneAsEarlierWorkersSentIt() {
        RunInfo old = RunInfo.parse("runner=qemu command=qemu-system-x86_64 -m 1024 kernel=debian/forky version=6.1 "
                + "initramfs_sha256=" + "e".repeat(64) + " test_revision=abc");
        assertTrue(old.legacy());
        assertEquals(List.of("qemu-system-x86_64", "-m", "1024"), old.argv());
        assertEquals("debian/forky", old.kernel());
        assertEquals("6.1", old.kernelVersion());
        assertEquals("e".repeat(64), old.initramfsSha256());
        assertEquals("abc", old.ktestRevision());
        RunInfo withRoot = RunInfo.parse("runner=qemu command=q kernel=k version=1 initramfs_sha256=x "
                + "root_image=/r/root.x86_64 test_revision=abc");
        assertEquals("/r/root.x86_64", withRoot.rootImage());
        assertEquals("abc", withRoot.ktestRevision());
        RunInfo host = RunInfo.parse("runner=host command=/k/tests/t.ktest run-tests a b");
        assertEquals("host", host.runner());
        assertEquals(List.of("/k/tests/t.ktest", "run-tests", "a", "b"), host.argv());
        assertEquals(new TreeMap<>(), host.env());
        assertTrue(ReproScript.render("f".repeat(40), "t.a", host).contains("recorded by an older worker"));
        RunInfo bare = RunInfo.parse("runner=qemu");
        assertEquals("qemu", bare.runner());
        assertEquals(List.of(), bare.argv());
        assertTrue(ReproScript.render("f".repeat(40), "t.a", bare).endsWith("no command line for this run\n"));
    }

    @Test
    void theScriptReplacesWorkerPathsWithVariablesAndQuotesTheRest() {
        String script = ReproScript.render("f".repeat(40), "fs.x.a", QEMU);
        assertTrue(script.contains("# kernel: debian/forky 6.1.0-1, sha256 " + "a".repeat(64) + "\n"), script);
        assertTrue(script.contains("# root image: /var/lib/ktest-ci/root.x86_64, sha256 " + "c".repeat(64) + "\n"),
                script);
        assertTrue(script.contains(": \"${LINUX:=/w/slot-1/linux}\""), script);
        assertTrue(script.contains("git -C \"$LINUX\" checkout --detach " + "f".repeat(40) + "\n"), script);
        assertTrue(script.contains("git -C \"$KTEST\" checkout --detach " + "d".repeat(40) + "\n"), script);
        assertTrue(script.contains("mkdir -p \"$WORK\" && cd \"$WORK\" &&\n"), script);
        assertTrue(script.contains("env KTEST_SUPERVISOR=1 ktest_deps_dir=\"$WORK\" ktest_x='it'\\''s' \\\n"), script);
        assertTrue(script.contains(" -kernel \"$KERNEL\" -append 'console=ttyS0 quiet' "
                + "-drive file=\"$WORK\"/ktest-tmp/scratch0,if=virtio\n"), script);
        assertFalse(script.contains("/w/slot-1/ktest-tmp"), "no worker path outside the defaults: " + script);
    }

    @Test
    void shellWordsRoundTrip() {
        List<String> words = List.of("plain", "with space", "it's", "", "a\"b", "$HOME", "x=y,z");
        assertEquals(words, ShellWords.split(ShellWords.join(words)));
    }
}
