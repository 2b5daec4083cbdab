package org.ktestci.schema.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a verdict's run can be reproduced (issue 14 item 2): the runner, its exact command line, working directory
 * and the environment it set (variables inherited unchanged from the worker's own environment are left out),
 * the kernel and root images with their SHA-256, and the ktest tree's revision; plus the worker's own ktest tree,
 * source checkout and slot directory, so a script can put a developer's paths in their place.
 *
 * <p>Carried as the {@code run} string of {@code SubtestFinished}, written by the worker and stored in the
 * journal. Its first line is the one-line summary earlier versions sent ({@code runner=… command=… kernel=…
 * version=… initramfs_sha256=… [root_image=…] test_revision=…}); the details follow, one {@code key=value} per line, values
 * shell-quoted, {@code env=NAME=value} repeated. A string of an earlier version (the summary alone) still parses,
 * its command split at spaces.
 */
public record RunInfo(String runner, List<String> argv, String cwd, SortedMap<String, String> env, String kernel,
                      String kernelVersion, String kernelImage, String kernelSha256, String initramfsSha256,
                      String rootImage, String rootImageSha256, String ktestRevision, String ktestDir,
                      String sourceDir, String workDir, boolean legacy) {

    private static final Pattern LEGACY = Pattern.compile("^runner=(\\S*)(?: command=(.*?))?"
            + "(?: kernel=(\\S*) version=(\\S*) initramfs_sha256=(\\S*)(?: root_image=(\\S*))? test_revision=(\\S*))?$");

    public RunInfo {
        argv = List.copyOf(argv);
        env = Collections.unmodifiableSortedMap(new TreeMap<>(env));
    }

    /** The images a VM run booted; {@link #NONE} for runners without a VM. */
    public record Images(String kernel, String kernelVersion, String kernelImage, String kernelSha256,
                         String initramfsSha256, String rootImage, String rootImageSha256) {
        public static final Images NONE = new Images("", "", "", "", "", "", "");

        public Images withRootImage(String image, String sha256) {
            return new Images(kernel, kernelVersion, kernelImage, kernelSha256, initramfsSha256, image, sha256);
        }
    }

    public static RunInfo of(String runner, List<String> argv, String cwd, Map<String, String> env, Images images,
                             String ktestRevision, String ktestDir, String sourceDir, String workDir) {
        return new RunInfo(runner, argv, cwd, new TreeMap<>(env), images.kernel(), images.kernelVersion(),
                images.kernelImage(), images.kernelSha256(), images.initramfsSha256(), images.rootImage(),
                images.rootImageSha256(), ktestRevision, ktestDir, sourceDir, workDir, false);
    }

    /** The run string: the summary line, then the details. */
    public String format() {
        StringBuilder b = new StringBuilder("runner=").append(runner).append(" command=").append(String.join(" ", argv));
        if (!kernel.isEmpty() || !initramfsSha256.isEmpty()) {
            b.append(" kernel=").append(kernel).append(" version=").append(kernelVersion).append(" initramfs_sha256=")
                    .append(initramfsSha256).append(rootImage.isEmpty() ? "" : " root_image=" + rootImage)
                    .append(" test_revision=").append(ktestRevision);
        }
        b.append("\nargv=").append(ShellWords.join(argv));
        detail(b, "cwd", cwd);
        env.forEach((k, v) -> b.append("\nenv=").append(k).append('=').append(ShellWords.quote(v)));
        detail(b, "kernel", kernel);
        detail(b, "kernel_version", kernelVersion);
        detail(b, "kernel_image", kernelImage);
        detail(b, "kernel_sha256", kernelSha256);
        detail(b, "initramfs_sha256", initramfsSha256);
        detail(b, "root_image", rootImage);
        detail(b, "root_image_sha256", rootImageSha256);
        detail(b, "ktest_revision", ktestRevision);
        detail(b, "ktest_dir", ktestDir);
        detail(b, "source_dir", sourceDir);
        detail(b, "work_dir", workDir);
        return b.toString();
    }

    private static void detail(StringBuilder b, String key, String value) {
        if (!value.isEmpty()) {
            b.append('\n').append(key).append('=').append(ShellWords.quote(value));
        }
    }

    /** A run string of this or an earlier version; empty strings and unknown shapes give a runner-less record. */
    public static RunInfo parse(String run) {
        String[] lines = run.split("\n");
        Matcher m = LEGACY.matcher(lines[0]);
        String runner = m.matches() ? m.group(1) : "";
        List<String> argv = m.matches() && m.group(2) != null && !m.group(2).isBlank()
                ? List.of(m.group(2).trim().split(" +")) : List.of();
        String kernel = m.matches() && m.group(3) != null ? m.group(3) : "";
        String version = m.matches() && m.group(4) != null ? m.group(4) : "";
        String initramfs = m.matches() && m.group(5) != null ? m.group(5) : "";
        String rootImage = m.matches() && m.group(6) != null ? m.group(6) : "";
        String revision = m.matches() && m.group(7) != null ? m.group(7) : "";
        if (lines.length == 1) {
            return new RunInfo(runner, argv, "", new TreeMap<>(), kernel,
                    version, "", "", initramfs, rootImage, "", revision, "", "", "", true);
        }
        SortedMap<String, String> env = new TreeMap<>();
        Map<String, String> d = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = lines[i].substring(0, eq);
            String value = lines[i].substring(eq + 1);
            if (key.equals("argv")) {
                argv = ShellWords.split(value);
            } else if (key.equals("env")) {
                int e = value.indexOf('=');
                if (e > 0) {
                    env.put(value.substring(0, e), one(value.substring(e + 1)));
                }
            } else {
                d.put(key, one(value));
            }
        }
        return new RunInfo(runner, argv, d.getOrDefault("cwd", ""), env, d.getOrDefault("kernel", kernel),
                d.getOrDefault("kernel_version", version), d.getOrDefault("kernel_image", ""),
                d.getOrDefault("kernel_sha256", ""), d.getOrDefault("initramfs_sha256", initramfs),
                d.getOrDefault("root_image", rootImage), d.getOrDefault("root_image_sha256", ""),
                d.getOrDefault("ktest_revision", revision), d.getOrDefault("ktest_dir", ""),
                d.getOrDefault("source_dir", ""), d.getOrDefault("work_dir", ""), false);
    }

    private static String one(String quoted) {
        List<String> w = ShellWords.split(quoted);
        return w.isEmpty() ? "" : String.join(" ", w);
    }

    /** The {@code repro} object of {@code /api/v1} (docs/api.md §3.3), {@code shell} being {@link ReproScript}'s. */
    public Map<String, Object> toJson(String shell) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runner", runner);
        m.put("command", argv);
        m.put("cwd", nullIfEmpty(cwd));
        m.put("env", env);
        m.put("kernel", nullIfEmpty(kernel));
        m.put("kernel_version", nullIfEmpty(kernelVersion));
        m.put("kernel_sha256", nullIfEmpty(kernelSha256));
        m.put("initramfs_sha256", nullIfEmpty(initramfsSha256));
        m.put("root_image", nullIfEmpty(rootImage));
        m.put("root_image_sha256", nullIfEmpty(rootImageSha256));
        m.put("ktest_revision", nullIfEmpty(ktestRevision));
        m.put("shell", shell);
        return m;
    }

    private static Object nullIfEmpty(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Lines for people: what ran, on what images. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("runner: " + runner + (ktestRevision.isEmpty() ? "" : ", ktest revision " + ktestRevision));
        if (!kernel.isEmpty() || !kernelSha256.isEmpty()) {
            out.add("kernel: " + (kernel.isEmpty() ? "-" : kernel) + (kernelVersion.isEmpty() ? "" : " " + kernelVersion)
                    + (kernelSha256.isEmpty() ? "" : ", sha256 " + kernelSha256));
        }
        if (!initramfsSha256.isEmpty()) {
            out.add("initramfs: sha256 " + initramfsSha256 + " (built by the worker from the ktest tree)");
        }
        if (!rootImage.isEmpty() || !rootImageSha256.isEmpty()) {
            out.add("root image: " + (rootImage.isEmpty() ? "-" : rootImage)
                    + (rootImageSha256.isEmpty() ? "" : ", sha256 " + rootImageSha256));
        }
        return out;
    }
}
