package org.ktestci.worker.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's module index as {@code depmod} writes it ({@code modules.dep}, {@code modules.softdep},
 * {@code modules.alias}, {@code modules.builtin}), read to decide which {@code .ko} files a VM's first stage must
 * {@code insmod}, and in which order, to reach its root disk and shares: what {@code modprobe --show-depends}
 * prints, without needing kmod on the worker.
 */
public final class ModuleIndex {
    /** Module name → its path relative to {@code lib/modules/<version>}. */
    private final Map<String, String> paths = new HashMap<>();
    /** Module name → the modules it links against (hard dependencies). */
    private final Map<String, List<String>> deps = new HashMap<>();
    /** Module name → names or aliases to load first ({@code softdep … pre:}). */
    private final Map<String, List<String>> softPre = new HashMap<>();
    /** Alias → the modules that provide it. */
    private final Map<String, List<String>> aliases = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();

    private ModuleIndex() {
    }

    /** Reads the index files of {@code dir} ({@code lib/modules/<version>}); {@code modules.dep} must exist. */
    public static ModuleIndex read(Path dir) throws IOException {
        ModuleIndex index = new ModuleIndex();
        for (String line : lines(dir.resolve("modules.dep"), true)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            String name = nameOf(path);
            index.paths.put(name, path);
            List<String> d = new ArrayList<>();
            for (String dep : line.substring(colon + 1).trim().split("\\s+")) {
                if (!dep.isEmpty()) {
                    d.add(nameOf(dep));
                    index.paths.putIfAbsent(nameOf(dep), dep);
                }
            }
            index.deps.put(name, d);
        }
        for (String line : lines(dir.resolve("modules.softdep"), false)) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 3 || !w[0].equals("softdep")) {
                continue;
            }
            boolean pre = true; // words before any "pre:"/"post:" are pre-dependencies, as modprobe.d(5) says
            for (int i = 2; i < w.length; i++) {
                switch (w[i]) {
                    case "pre:" -> pre = true;
                    case "post:" -> pre = false;
                    default -> {
                        if (pre) {
                            index.softPre.computeIfAbsent(normalise(w[1]), k -> new ArrayList<>()).add(w[i]);
                        }
                    }
                }
            }
        }
        for (String line : lines(dir.resolve("modules.alias"), false)) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 3 && w[0].equals("alias")) {
                index.aliases.computeIfAbsent(w[1], k -> new ArrayList<>()).add(normalise(w[2]));
            }
        }
        for (String line : lines(dir.resolve("modules.builtin"), false)) {
            if (!line.isBlank()) {
                index.builtin.add(nameOf(line.trim()));
            }
        }
        return index;
    }

    /**
     * The {@code .ko} paths (relative to the index directory) to insmod, dependencies first, for the wanted
     * modules. Built-in modules need nothing; a module the kernel has neither built in nor as a file is left out
     * (the caller's guest reports what failed to appear).
     */
    public List<String> loadOrder(List<String> wanted) {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String w : wanted) {
            visit(normalise(w), order, new HashSet<>());
        }
        List<String> out = new ArrayList<>();
        for (String name : order) {
            out.add(paths.get(name));
        }
        return out;
    }

    /** Whether the kernel has the module at all, built in or as a file. */
    public boolean has(String module) {
        String n = normalise(module);
        return builtin.contains(n) || paths.containsKey(n);
    }

    private void visit(String name, LinkedHashSet<String> order, Set<String> path) {
        if (order.contains(name) || builtin.contains(name) || !path.add(name)) {
            return;
        }
        for (String soft : softPre.getOrDefault(name, List.of())) {
            for (String provider : providers(soft)) {
                visit(provider, order, path);
            }
        }
        for (String dep : deps.getOrDefault(name, List.of())) {
            visit(dep, order, path);
        }
        if (paths.containsKey(name)) {
            order.add(name);
        }
        path.remove(name);
    }

    /** A soft dependency names a module or an alias ({@code crypto-crc32c}); every provider is loaded. */
    private List<String> providers(String nameOrAlias) {
        String n = normalise(nameOrAlias);
        if (paths.containsKey(n) || builtin.contains(n)) {
            return List.of(n);
        }
        return aliases.getOrDefault(nameOrAlias, List.of());
    }

    /** {@code kernel/fs/ext4/ext4.ko.xz} → {@code ext4}; module names treat '-' and '_' alike. */
    static String nameOf(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        int ko = file.indexOf(".ko");
        return normalise(ko >= 0 ? file.substring(0, ko) : file);
    }

    static String normalise(String name) {
        return name.replace('-', '_');
    }

    private static List<String> lines(Path f, boolean required) throws IOException {
        if (!Files.isRegularFile(f)) {
            if (required) {
                throw new IOException("no " + f.getFileName() + " in " + f.getParent());
            }
            return List.of();
        }
        return Files.readAllLines(f, StandardCharsets.UTF_8);
    }
}
