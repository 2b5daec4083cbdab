package org.ktestci.schema.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads {@code [test_group.*]} (config.md §4), then resolves {@code extends} and detects cycles. */
final class GroupsReader {
    static final Set<String> KEYS = new LinkedHashSet<>(List.of(
            "extends", "tests", "max_commits", "priority", "nice", "kernels", "env", "arch", "order",
            "failures_first_commits"));
    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9._-]+$");
    private static final Pattern TEST_CHARS = Pattern.compile("^[A-Za-z0-9/._+:-]+$");
    private static final Pattern KERNEL_ID = Pattern.compile("^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$");
    private static final Pattern KERNEL_PATH = Pattern.compile("^/[A-Za-z0-9/._+:-]*$");
    private static final Pattern ENV_KEY = Pattern.compile("^ktest_[A-Za-z0-9_]+$");
    private static final Pattern ENV_VALUE = Pattern.compile("^[A-Za-z0-9._+:-]*$");

    /** A group as written, before {@code extends}; absent keys are empty. */
    record RawGroup(String name, TomlScope scope, Optional<String> parent, Optional<List<String>> tests,
                    Optional<Integer> maxCommits, Optional<Integer> priority, Optional<List<String>> kernels,
                    Map<String, String> env, Optional<List<Arch>> arch, Optional<String> order,
                    Optional<Integer> failuresFirstCommits) {}

    private final TomlReader r;
    private final int keepResultsCommits;
    private final Optional<Path> testsDirToCheck;

    /**
     * @param testsDirToCheck {@code <ktest_dir>/tests} when test files must exist (coordinator); not checked when
     *                        that directory is missing, which is reported once at {@code ktest_dir} instead
     */
    GroupsReader(TomlReader r, int keepResultsCommits, Optional<Path> testsDirToCheck) {
        this.r = r;
        this.keepResultsCommits = keepResultsCommits;
        this.testsDirToCheck = testsDirToCheck.filter(Files::isDirectory);
    }

    Map<String, TestGroupConfig> read(Optional<TomlScope> section) {
        Map<String, RawGroup> raw = new LinkedHashMap<>();
        if (section.isEmpty()) {
            return Map.of();
        }
        TomlScope groups = section.get();
        for (String name : groups.table().keySet()) {
            Optional<TomlScope> g = r.table(groups, name);
            if (g.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                r.error(groups, name, "group name must match ^[A-Za-z0-9._-]+$");
            }
            raw.put(name, readOne(name, g.get()));
        }
        Set<String> inCycle = findCycles(raw);
        Map<String, TestGroupConfig> resolved = new LinkedHashMap<>();
        for (RawGroup g : raw.values()) {
            if (!inCycle.contains(g.name())) {
                resolved.put(g.name(), resolve(g, raw));
            }
        }
        return Collections.unmodifiableMap(resolved);
    }

    private RawGroup readOne(String name, TomlScope g) {
        r.unknownKeys(g, KEYS, Map.of());
        Optional<String> parent = r.string(g, "extends");
        Optional<List<String>> tests = r.stringArray(g, "tests").map(els -> tests(g, els));
        Optional<Integer> maxCommits = r.validInt(g, "max_commits", 1, keepResultsCommits);
        Optional<Integer> priority = r.validInt(g, "priority", -1000, 1000);
        if (r.has(g, "nice")) {
            if (r.has(g, "priority")) {
                r.error(g, "nice", "use either priority or nice, not both");
            } else {
                priority = r.validInt(g, "nice", -1000, 1000);
            }
        }
        Optional<List<String>> kernels = r.stringArray(g, "kernels").map(els -> kernels(g, els));
        Map<String, String> env = r.table(g, "env").map(this::env).orElse(Map.of());
        Optional<List<Arch>> arch = r.stringArray(g, "arch").map(els -> arches(g, els));
        Optional<String> order = r.string(g, "order");
        if (order.isPresent() && !TestGroupConfig.ORDERS.contains(order.get())) {
            r.error(g, "order", "must be one of \"longest_first\", \"failures_first\", got \"" + order.get() + "\"");
            order = Optional.empty();
        }
        Optional<Integer> failuresFirstCommits = r.validInt(g, "failures_first_commits", 1, 50);
        return new RawGroup(name, g, parent, tests, maxCommits, priority, kernels, env, arch, order,
                failuresFirstCommits);
    }

    /**
     * Checks each test path. Invalid entries stay in the list: the file is rejected anyway, and a group whose
     * tests are all invalid must not also be reported as having no tests.
     */
    private List<String> tests(TomlScope g, List<TomlReader.Element> els) {
        List<String> out = new ArrayList<>();
        for (TomlReader.Element e : els) {
            String problem = testProblem(e.value(), out);
            if (problem != null) {
                r.errorAt(e.line(), e.column(), g.keyPath("tests") + "[" + e.index() + "]", problem);
            }
            if (!out.contains(e.value())) {
                out.add(e.value());
            }
        }
        return out;
    }

    private String testProblem(String t, List<String> earlier) {
        if (!t.endsWith(".ktest")) {
            return "must end in .ktest, got \"" + t + "\"";
        } else if (t.startsWith("/")) {
            return "must be relative to <ktest_dir>/tests, got \"" + t + "\"";
        } else if (List.of(t.split("/")).contains("..")) {
            return "must not contain a \"..\" segment, got \"" + t + "\"";
        } else if (!TEST_CHARS.matcher(t).matches()) {
            return "may only contain letters, digits, \"/\" and \". _ + : -\", got \"" + t + "\"";
        } else if (earlier.contains(t)) {
            return "duplicate test \"" + t + "\"";
        } else if (testsDirToCheck.isPresent() && !Files.isRegularFile(testsDirToCheck.get().resolve(t))) {
            return "test file not found: " + testsDirToCheck.get().resolve(t);
        }
        return null;
    }

    private List<String> kernels(TomlScope g, List<TomlReader.Element> els) {
        List<String> out = new ArrayList<>();
        for (TomlReader.Element e : els) {
            String k = e.value();
            boolean ok = k.startsWith("/") ? KERNEL_PATH.matcher(k).matches() && !List.of(k.split("/")).contains("..")
                    : KERNEL_ID.matcher(k).matches();
            if (ok) {
                out.add(k);
            } else {
                r.errorAt(e.line(), e.column(), g.keyPath("kernels") + "[" + e.index() + "]",
                        "must be a kernel-store id or an absolute image path, got \"" + k + "\"");
            }
        }
        return out;
    }

    private Map<String, String> env(TomlScope env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : env.table().keySet()) {
            if (!ENV_KEY.matcher(key).matches()) {
                r.error(env, key, "env keys must match ^ktest_[A-Za-z0-9_]+$");
                continue;
            }
            Object v = env.table().get(List.of(key));
            String text;
            if (v instanceof String s) {
                text = s;
            } else if (v instanceof Long || v instanceof Boolean) {
                text = v.toString();
            } else {
                r.error(env, key, "expected string, integer or boolean, got " + TomlReader.typeName(v));
                continue;
            }
            if (!ENV_VALUE.matcher(text).matches()) {
                r.error(env, key,
                        "env values may only contain letters, digits and \". _ + : -\", got \"" + text + "\"");
                continue;
            }
            out.put(key, text);
        }
        return out;
    }

    private List<Arch> arches(TomlScope g, List<TomlReader.Element> els) {
        List<Arch> out = new ArrayList<>();
        for (TomlReader.Element e : els) {
            String path = g.keyPath("arch") + "[" + e.index() + "]";
            Optional<Arch> a = Arch.fromConfig(e.value());
            if (a.isEmpty()) {
                r.errorAt(e.line(), e.column(), path, Arch.notAnArch(e.value()));
            } else if (out.contains(a.get())) {
                r.errorAt(e.line(), e.column(), path, "duplicate arch \"" + e.value() + "\"");
            } else {
                out.add(a.get());
            }
        }
        return out;
    }

    /** Reports unknown parents and each cycle once, at its first group in file order; returns groups in cycles. */
    private Set<String> findCycles(Map<String, RawGroup> raw) {
        Set<String> bad = new HashSet<>();
        for (RawGroup g : raw.values()) {
            if (g.parent().isPresent() && !raw.containsKey(g.parent().get())) {
                r.error(g.scope(), "extends", "unknown test_group \"" + g.parent().get() + "\""
                        + DidYouMean.hint(g.parent().get(), raw.keySet()));
                bad.add(g.name());
            }
        }
        Set<String> reported = new HashSet<>();
        for (RawGroup g : raw.values()) {
            List<String> chain = new ArrayList<>();
            String cur = g.name();
            while (cur != null && raw.containsKey(cur) && !chain.contains(cur)) {
                chain.add(cur);
                cur = raw.get(cur).parent().orElse(null);
            }
            if (cur != null && chain.contains(cur)) {
                List<String> cycle = chain.subList(chain.indexOf(cur), chain.size());
                if (cycle.contains(g.name())) {
                    bad.add(g.name());
                    if (Collections.disjoint(reported, cycle)) {
                        reported.addAll(cycle);
                        List<String> shown = new ArrayList<>(cycle);
                        shown.add(g.name());
                        r.error(g.scope(), "extends", "extends cycle: " + String.join(" -> ", shown));
                    }
                } else {
                    bad.add(g.name()); // leads into a cycle: cannot be resolved either
                }
            } else if (cur != null && !raw.containsKey(cur)) {
                bad.add(g.name());
            }
        }
        return bad;
    }

    private TestGroupConfig resolve(RawGroup g, Map<String, RawGroup> raw) {
        List<RawGroup> lineage = new ArrayList<>();
        for (RawGroup cur = g; cur != null; cur = cur.parent().map(raw::get).orElse(null)) {
            lineage.add(cur);
        }
        List<String> tests = first(lineage, RawGroup::tests).orElse(List.of());
        int maxCommits = first(lineage, RawGroup::maxCommits).orElse(50);
        int priority = first(lineage, RawGroup::priority).orElse(0);
        List<String> kernels = first(lineage, RawGroup::kernels).orElse(List.of());
        List<Arch> arch = first(lineage, RawGroup::arch).orElse(List.of());
        String order = first(lineage, RawGroup::order).orElse(TestGroupConfig.LONGEST_FIRST);
        int failuresFirstCommits = first(lineage, RawGroup::failuresFirstCommits).orElse(5);
        SortedMap<String, String> env = new TreeMap<>();
        for (int i = lineage.size() - 1; i >= 0; i--) {
            env.putAll(lineage.get(i).env());
        }
        return new TestGroupConfig(g.name(), List.copyOf(tests), maxCommits, priority, List.copyOf(kernels),
                Collections.unmodifiableSortedMap(env), List.copyOf(arch), order, failuresFirstCommits);
    }

    private static <T> Optional<T> first(List<RawGroup> lineage, Function<RawGroup, Optional<T>> f) {
        for (RawGroup g : lineage) {
            Optional<T> v = f.apply(g);
            if (v.isPresent()) {
                return v;
            }
        }
        return Optional.empty();
    }
}
