package org.ktestci.schema.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileTreesTest {
    @TempDir
    Path dir;

    @Test
    void deletesATreeButNotWhatItsLinksPointAt() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "y");
        Files.createSymbolicLink(dir.resolve("tree/a/link"), outside);
        FileTrees.deleteRecursively(dir.resolve("tree"));
        assertFalse(Files.exists(dir.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(outside.resolve("keep")), "the link's target survives");
    }

    @Test
    void deletesASingleFileOrLinkAndIgnoresAMissingPath() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "z");
        Path dangling = Files.createSymbolicLink(dir.resolve("l"), dir.resolve("nowhere"));
        FileTrees.deleteRecursively(file);
        FileTrees.deleteRecursively(dangling);
        FileTrees.deleteRecursively(dir.resolve("missing"));
        assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(dangling, LinkOption.NOFOLLOW_LINKS));
    }
}
