package org.ktestci.schema;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildVersionTest {
    @Test
    void theVersionIsTheOneInThePom() throws Exception {
        // Surefire runs in the module's directory; its pom names the root pom's version as its parent's.
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>.*?</parent>", Pattern.DOTALL).matcher(pom);
        assertTrue(m.find(), "no parent version in schema/pom.xml");
        assertEquals(m.group(1), BuildVersion.VERSION);
    }
}
