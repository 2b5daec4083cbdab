package org.ktestci.worker.run;

import org.ktestci.worker.console.MonitorPolicy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command lines of the runner backends (ktest-interface.md §6): argv, cwd and environment. The environment is
 * the agent's minus every inherited {@code ktest_*} variable, plus {@code KTEST_SUPERVISOR=1},
 * {@code ktest_deps_dir} and the group's env pairs.
 */
public record RunnerCommand(List<String> argv, Path cwd, Map<String, String> env, boolean injectRunEndOnExit,
                            MonitorPolicy monitor) {
    /** A runner whose VM (if any) has no hot-pluggable disks. */
    public RunnerCommand(List<String> argv, Path cwd, Map<String, String> env, boolean injectRunEndOnExit) {
        this(argv, cwd, env, injectRunEndOnExit, MonitorPolicy.none());
    }

    static Map<String, String> baseEnv(Map<String, String> agentEnv, Path slotDir, Map<String, String> groupEnv) {
        Map<String, String> env = new HashMap<>();
        agentEnv.forEach((k, v) -> {
            if (!k.startsWith("ktest_")) {
                env.put(k, v);
            }
        });
        env.put("KTEST_SUPERVISOR", "1");
        env.put("ktest_deps_dir", slotDir.toString());
        env.putAll(groupEnv);
        return env;
    }

    /** §6.2: run the test file directly on the host; the child's exit injects the run verdict. */
    public static RunnerCommand host(Path ktestDir, String test, List<String> subtests, Path slotDir,
                                     Map<String, String> groupEnv, Map<String, String> agentEnv) {
        List<String> argv = new ArrayList<>();
        argv.add(ktestDir.resolve("tests").resolve(test).toString());
        argv.add("run-tests");
        argv.addAll(subtests);
        Map<String, String> env = baseEnv(agentEnv, slotDir, groupEnv);
        env.put("ktest_dir", ktestDir.toString());
        env.put("ktest_out", slotDir.resolve("ktest-out").toString());
        env.put("ktest_tmp", slotDir.resolve("ktest-tmp").toString());
        return new RunnerCommand(argv, slotDir.resolve("host-run"), env, true);
    }

    /** §6.1: drive the real ktest CLI; a job without a kernel builds one from the checked-out commit. */
    public static RunnerCommand ktest(Path ktestDir, String test, String kernel, List<String> subtests, Path slotDir,
                                      String repo, Map<String, String> groupEnv, Map<String, String> agentEnv) {
        List<String> argv = new ArrayList<>();
        Path tmp = slotDir.resolve("ktest-tmp");
        Path testFile = ktestDir.resolve("tests").resolve(test);
        if (kernel.isEmpty()) {
            argv.addAll(List.of(ktestDir.resolve("build-test-kernel").toString(), "run", "-k",
                    slotDir.resolve(repo).toString(), "-T", tmp.toString(), "-P", testFile.toString()));
        } else {
            argv.addAll(List.of(ktestDir.resolve("ktest").toString(), "run", "-k", kernel, "-T", tmp.toString(),
                    testFile.toString()));
        }
        argv.addAll(subtests);
        return new RunnerCommand(argv, slotDir, baseEnv(agentEnv, slotDir, groupEnv), false);
    }
}
