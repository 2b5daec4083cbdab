package org.ktestci.worker.run;

import org.ktestci.schema.run.RunInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the {@link RunInfo} of one runner iteration (issue 14 item 2): the command as it was started, the
 * environment it set beyond what the worker inherited, the images it booted, the ktest revision and the worker
 * paths a repro script replaces.
 */
final class RunInfos {
    private RunInfos() {
    }

    static RunInfo of(String runner, RunnerCommand cmd, Map<String, String> agentEnv, RunInfo.Images images,
                      Path ktestDir, Path sourceDir, Path workDir) {
        Map<String, String> set = new TreeMap<>();
        cmd.env().forEach((k, v) -> {
            if (!v.equals(agentEnv.get(k))) {
                set.put(k, v); // inherited values are the worker's own environment, not the run's
            }
        });
        RunInfo.Images shown = images;
        if ("host".equals(runner) && images.equals(RunInfo.Images.NONE)) {
            // The host runner's subtests run on the worker's own kernel.
            shown = new RunInfo.Images("host", System.getProperty("os.version", ""), "", "", "", "", "");
        }
        return RunInfo.of(runner, cmd.argv(), cmd.cwd().toString(), set, shown,
                KtestRevision.of(ktestDir), ktestDir.toString(), sourceDir.toString(), workDir.toString());
    }

    /** Digests by file identity: a root image is gigabytes, and every iteration of every slot boots it. */
    private record Identity(Path path, long size, long mtimeMillis) {}

    private static final Map<Identity, String> DIGESTS = new ConcurrentHashMap<>();

    /** SHA-256 of a file, streamed, computed again only when its size or mtime changed. */
    static String sha256(Path file) throws IOException {
        Path real = file.toRealPath();
        Identity id = new Identity(real, Files.size(real), Files.getLastModifiedTime(real).toMillis());
        String known = DIGESTS.get(id);
        if (known != null) {
            return known;
        }
        String digest = digest(real);
        if (DIGESTS.size() > 256) {
            DIGESTS.clear(); // images come and go with kernel-store updates; a handful are in use at once
        }
        DIGESTS.put(id, digest);
        return digest;
    }

    private static String digest(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
