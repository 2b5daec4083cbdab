package org.ktestci.schema.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A bash snippet a developer pastes to re-run one result on their own machine (issue 14 item 2): it checks out
 * the tested commit and the ktest revision, then runs the runner's exact command line in its directory with the
 * environment the worker gave it. The worker's own paths become variables, each defaulting to the worker's path
 * ({@code KTEST} its ktest tree, {@code LINUX} its checkout of the commit, {@code KERNEL} the kernel image,
 * {@code WORK} the slot directory), so the same text runs on the worker itself and, with the variables set, on
 * any other machine.
 */
public final class ReproScript {
    private ReproScript() {
    }

    private record Var(String name, String path, String meaning) {}

    public static String render(String sha, String key, RunInfo run) {
        // Longest first: the checkout lives inside the slot directory.
        List<Var> vars = new ArrayList<>();
        addVar(vars, "LINUX", run.sourceDir(), "a checkout of the tested repository");
        addVar(vars, "KTEST", run.ktestDir(), "a ktest checkout");
        addVar(vars, "KERNEL", run.kernelImage(), "the kernel image (see its sha256 above)");
        addVar(vars, "ROOT_IMAGE", run.rootImage(), "the root image (see its sha256 above)");
        addVar(vars, "WORK", run.workDir(), "a scratch directory");
        vars.sort((a, b) -> Integer.compare(b.path().length(), a.path().length()));
        StringBuilder b = new StringBuilder("# reproduce ").append(key).append(" at ").append(sha).append('\n');
        for (String line : run.describe()) {
            b.append("# ").append(line).append('\n');
        }
        if (run.legacy()) {
            b.append("# recorded by an older worker: the command was split at spaces and its environment is unknown\n");
        }
        for (Var v : vars) {
            b.append(": \"${").append(v.name()).append(":=").append(escapeDefault(v.path())).append("}\"   # ")
                    .append(v.meaning()).append('\n');
        }
        if (vars.stream().anyMatch(v -> v.name().equals("LINUX"))) {
            b.append("git -C \"$LINUX\" checkout --detach ").append(sha).append('\n');
        }
        if (run.ktestRevision().matches("^[0-9a-f]{40}$") && vars.stream().anyMatch(v -> v.name().equals("KTEST"))) {
            b.append("git -C \"$KTEST\" checkout --detach ").append(run.ktestRevision()).append('\n');
        }
        if (run.argv().isEmpty()) {
            return b.append("# the worker recorded no command line for this run\n").toString();
        }
        if (!run.cwd().isEmpty()) {
            String cwd = word(run.cwd(), vars);
            b.append("mkdir -p ").append(cwd).append(" && cd ").append(cwd).append(" &&\n");
        }
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : run.env().entrySet()) {
            env.add(e.getKey() + "=" + word(e.getValue(), vars));
        }
        List<String> argv = new ArrayList<>();
        run.argv().forEach(a -> argv.add(word(a, vars)));
        b.append(env.isEmpty() ? "" : "env " + String.join(" ", env) + " \\\n    ").append(String.join(" ", argv))
                .append('\n');
        return b.toString();
    }

    private static void addVar(List<Var> vars, String name, String path, String meaning) {
        if (path.length() > 1) {
            vars.add(new Var(name, path, meaning));
        }
    }

    /** A path as the default of {@code ${VAR:=…}}: inside double quotes, so {@code $ ` " \} are escaped. */
    private static String escapeDefault(String path) {
        return path.replaceAll("([$`\"\\\\}])", "\\\\$1");
    }

    /** One shell word: the value with every worker path replaced by its variable, the rest quoted. */
    static String word(String value, List<Var> vars) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        StringBuilder literal = new StringBuilder();
        outer:
        while (i < value.length()) {
            for (Var v : vars) {
                if (value.startsWith(v.path(), i) && boundary(value, i + v.path().length())) {
                    flush(b, literal);
                    b.append("\"$").append(v.name()).append('"');
                    i += v.path().length();
                    continue outer;
                }
            }
            literal.append(value.charAt(i++));
        }
        flush(b, literal);
        return b.length() == 0 ? "''" : b.toString();
    }

    /** A path matches only whole: {@code /work/slot-1} is not a prefix of {@code /work/slot-10}. */
    private static boolean boundary(String value, int end) {
        return end == value.length() || value.charAt(end) == '/' || value.charAt(end) == ',' || value.charAt(end) == ':';
    }

    private static void flush(StringBuilder b, StringBuilder literal) {
        if (literal.length() > 0) {
            b.append(ShellWords.quote(literal.toString()));
            literal.setLength(0);
        }
    }
}
