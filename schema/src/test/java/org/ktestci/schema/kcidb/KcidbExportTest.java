package org.ktestci.schema.kcidb;

import com.networknt.schema.Schema;
import org.junit.jupiter.api.Test;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KCIDB export of issue 14 item 7: its mapping, and valid against the schema kcidb-io exported. */
class KcidbExportTest {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final List<ResultEntry> ENTRIES = List.of(
            new ResultEntry("fs.bcachefs.ec@upstream_stable-default@ktest_x=1,ktest_y=a+b.ec", Status.PASSED, 12, 1_787_000_000),
            new ResultEntry("fs.bcachefs.ec@upstream_stable-default@ktest_x=1,ktest_y=a+b.ec_replace", Status.FAILED, 31,
                    1_787_000_012),
            new ResultEntry("boot.boot", Status.NOTRUN, 0, 1_787_000_100),
            new ResultEntry("boot.k..dots", Status.FAILED_TO_RUN, 0, 0),
            new ResultEntry("boot.weird:name", Status.UNKNOWN, 2, 1_787_000_200),
            new ResultEntry("boot.running", Status.INPROGRESS, 0, 1_787_000_300));

    static Map<String, Object> export() {
        KeyKernels kernels = new KeyKernels()
                .add(List.of("fs/bcachefs/ec.ktest"), List.of("upstream/stable-default"),
                        Map.of("ktest_x", "1", "ktest_y", "a+b"), List.of())
                .add(List.of("boot.ktest"), List.of(), Map.of(), List.of());
        return KcidbExport.export("ktest_ci", "https://ci.example.net/base", SHA, "bcachefs: fix\n\nbody\n",
                new KcidbExport.Checkout("https://evilpiepirate.org/git/bcachefs.git", "master", "bcachefs"), ENTRIES,
                kernels::kernelOf, Map.of(ENTRIES.get(1).name(), new KcidbExport.RunPlace("farm1", 3, "aarch64")));
    }

    @Test
    void isValidAgainstKcidbsOwnSchema() {
        Schema schema = KcidbSchema.load();
        assertEquals(List.of(), KcidbSchema.errors(schema, export()));
    }

    @Test
    void theValidatorCatchesWhatKcidbForbids() {
        Schema schema = KcidbSchema.load();
        Map<String, Object> bad = Map.of("version", Map.of("major", 5, "minor", 3), "tests", List.of(Map.of(
                "id", "ktest_ci:x:k", "build_id", "ktest_ci:x:", "origin", "ktest_ci",
                "path", "fs.bcachefs.ec@upstream.ec", "status", "PASSED", "log_url", "not a uri")));
        assertEquals(3, KcidbSchema.errors(schema, bad).size(), KcidbSchema.errors(schema, bad).toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void mapsStatusesIdsPathsAndLogs() {
        Map<String, Object> doc = export();
        List<Map<String, Object>> tests = (List<Map<String, Object>>) doc.get("tests");
        assertEquals(List.of("PASS", "FAIL", "SKIP", "ERROR", "MISS"), tests.stream().map(t -> t.get("status")).toList(),
                "In progress is left out");
        Map<String, Object> fail = tests.get(1);
        assertEquals("ktest_ci:" + SHA + ":" + ENTRIES.get(1).name(), fail.get("id"));
        assertEquals("ktest_ci:" + SHA + ":upstream/stable-default", fail.get("build_id"));
        assertEquals("fs.bcachefs.ec_upstream_stable-default_ktest_x_1_ktest_y_a_b.ec_replace", fail.get("path"));
        assertEquals(Map.of("result_key", ENTRIES.get(1).name()), fail.get("misc"));
        assertEquals("https://ci.example.net/base/c/" + SHA
                + "/fs.bcachefs.ec%40upstream_stable-default%40ktest_x%3D1%2Cktest_y%3Da%2Bb.ec_replace/log.br",
                fail.get("log_url"));
        assertEquals("2026-08-17T20:53:32Z", fail.get("start_time"));
        assertEquals(31L, fail.get("duration"));
        assertEquals("boot.k._.dots", tests.get(3).get("path"));
        assertTrue(((String) tests.get(3).get("log_url")).endsWith("/full_log.br"), "Failed to run: the reason's log");
        assertEquals("ktest_ci:" + SHA + ":", tests.get(2).get("build_id"), "built from the checkout");
        List<Map<String, Object>> builds = (List<Map<String, Object>>) doc.get("builds");
        assertEquals(List.of("ktest_ci:" + SHA + ":", "ktest_ci:" + SHA + ":upstream/stable-default"),
                builds.stream().map(b -> b.get("id")).toList());
        assertEquals("aarch64", builds.get(1).get("architecture"));
        assertFalse(builds.get(0).containsKey("architecture"), "unknown arch: left out, never null");
        Map<String, Object> checkout = ((List<Map<String, Object>>) doc.get("checkouts")).get(0);
        assertEquals("ktest_ci:" + SHA, checkout.get("id"));
        assertEquals("bcachefs: fix", checkout.get("comment"));
        assertEquals("master", checkout.get("git_repository_branch"));
    }

    @Test
    void aKeyOfAGroupNoLongerConfiguredFallsBackToItsFirstSegment() {
        KeyKernels none = new KeyKernels();
        assertEquals("upstream_6.1", none.kernelOf("t@upstream_6.1@ktest_x=1.generic.001"));
        assertEquals("", none.kernelOf("t@ktest_x=1@arch=x86_64.a"));
        assertEquals("", none.kernelOf("t.a"));
    }
}
