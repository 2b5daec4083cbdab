package org.ktestci.schema.keys;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultKeysTest {
    @Test
    void derivesTheSpecExampleKeys() {
        assertEquals("fs.bcachefs.single_device.first_thing",
                ResultKeys.key("fs/bcachefs/single_device.ktest", "", Map.of(), "", "first_thing"));
        assertEquals("fs.bcachefs.fstests.generic.001",
                ResultKeys.key("fs/bcachefs/fstests.ktest", "", Map.of(), "", "generic/001"));
        assertEquals("boot@upstream_stable-kasan.boot",
                ResultKeys.key("boot.ktest", "upstream/stable-kasan", Map.of(), "", "boot"));
        assertEquals("fs.bcachefs.ec@upstream_stable-default@ktest_x=1.ec",
                ResultKeys.key("fs/bcachefs/ec.ktest", "upstream/stable-default", Map.of("ktest_x", "1"), "", "ec"));
        assertEquals("fs.bcachefs.ec@upstream_stable-default@ktest_a=1,ktest_b=2@arch=aarch64.ec",
                ResultKeys.key("fs/bcachefs/ec.ktest", "upstream/stable-default",
                        Map.of("ktest_b", "2", "ktest_a", "1"), "aarch64", "ec"));
    }

    @Test
    void sortsEnvKeysInUtf8ByteOrderNotJavaStringOrder() {
        // U+00E9 (0xC3 0xA9) sorts after 'z' in byte order; U+FF21 vs U+10000 differ between UTF-16 and UTF-8.
        Map<String, String> env = new TreeMap<>(Map.of("ktest_\uFF21", "1", "ktest_\uD800\uDC00", "2"));
        String encoded = ResultKeys.encodeEnv(env);
        assertTrue(encoded.startsWith("ktest_\uFF21=1"), encoded);
        assertTrue(Utf8ByteOrder.compare("a", "\u00e9") < 0);
        assertTrue(Utf8ByteOrder.compare("\uFF21", "\uD800\uDC00") < 0);
        assertTrue("\uFF21".compareTo("\uD800\uDC00") > 0, "String.compareTo disagrees, which is why we avoid it");
    }

    @Test
    void emptyEnvEncodesToEmptyString() {
        assertEquals("", ResultKeys.encodeEnv(Map.of()));
        assertEquals("fs.x", ResultKeys.basename("fs/x.ktest", "", "", ""));
    }
}
