package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.ktestci.schema.config.BranchConfig;
import org.ktestci.schema.git.CommitInfo;
import org.ktestci.schema.json.KtestJson;
import org.ktestci.schema.keys.Utf8ByteOrder;
import org.ktestci.schema.logs.Brotli;
import org.ktestci.schema.results.CommitResults;
import org.ktestci.schema.results.ResultEntry;
import org.ktestci.schema.status.Status;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The subcommands' work and exact output formats (cli.md §2–§3), separate from argument parsing. */
final class Commands {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<Status> SHOW_ORDER = List.of(Status.FAILED, Status.INPROGRESS, Status.NOTRUN,
            Status.UNKNOWN, Status.FAILED_TO_RUN, Status.PASSED);

    private Commands() {
    }

    static void branches(Context ctx) {
        List<BranchConfig> branches = ctx.local().branches();
        if (ctx.options.json()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (BranchConfig b : branches) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", b.name());
                m.put("fetch", b.fetchUrl() + " " + b.fetchRef());
                m.put("test_groups", b.testGroups());
                out.add(m);
            }
            json(ctx, out);
            return;
        }
        for (BranchConfig b : branches) {
            ctx.term.println(String.format("%-40s ", b.name()) + ctx.term.paint(String.join(", ", b.testGroups()),
                    Terminal.DIM));
        }
    }

    static void log(Context ctx, String branch, Optional<String> test, Optional<Integer> n) {
        LocalResults local = ctx.local();
        Optional<Pattern> filter = test.map(Commands::regex);
        List<CommitInfo> commits = local.walk(branch, n.orElse(ctx.config().keepResultsCommits()));
        List<Map<String, Object>> json = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (CommitInfo c : commits) {
            Optional<CommitResults> res = local.results(c.sha());
            if (res.isEmpty()) {
                continue;
            }
            List<ResultEntry> entries = res.get().entries().stream()
                    .filter(e -> filter.map(p -> p.matcher(e.name()).find()).orElse(true)).toList();
            if (entries.isEmpty()) {
                continue;
            }
            Map<String, Object> m = KtestJson.branchEntry(c.sha(),
                    res.get().message().isEmpty() ? c.message() : res.get().message(), entries);
            json.add(m);
            int passed = (int) m.get("passed");
            int failed = (int) m.get("failed");
            String subject = c.subject().length() > 50 ? c.subject().substring(0, 50) : c.subject();
            rows.add(String.format("%-14s", c.sha().substring(0, 12))
                    + ctx.term.paint(String.format("%-6s", passed), passed > 0 ? Terminal.GREEN : null)
                    + ctx.term.paint(String.format("%-6s", failed), failed > 0 ? Terminal.RED : null)
                    + String.format("%-6s%-6s%-9s", m.get("failed_to_run"), m.get("inprogress"),
                    ShortDuration.of((long) m.get("duration")))
                    + ctx.term.safe(subject));
        }
        if (ctx.options.json()) {
            json(ctx, json);
            return;
        }
        if (rows.isEmpty()) {
            ctx.term.println("No results for " + ctx.term.safe(branch));
            return;
        }
        ctx.term.println(String.format("%-14s%-6s%-6s%-6s%-6s%-9s%s", "COMMIT", "PASS", "FAIL", "FTRUN", "INPRO",
                "DURATION", "MESSAGE"));
        ctx.term.println("-".repeat(80));
        rows.forEach(ctx.term::println);
    }

    static void show(Context ctx, String prefix, Optional<String> test) {
        LocalResults local = ctx.local();
        String sha = local.resolveCommit(prefix);
        CommitResults res = local.results(sha).orElseThrow(() -> new CliError("no test results for commit " + prefix));
        Optional<Pattern> filter = test.map(Commands::regex);
        List<ResultEntry> entries = new ArrayList<>(res.entries().stream()
                .filter(e -> filter.map(p -> p.matcher(e.name()).find()).orElse(true)).toList());
        if (ctx.options.json()) {
            json(ctx, KtestJson.commit(sha, res.message(), entries));
            return;
        }
        entries.sort(Comparator.<ResultEntry>comparingInt(e -> SHOW_ORDER.indexOf(e.status()))
                .thenComparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR));
        if (!res.message().isEmpty()) {
            ctx.term.println(sha + " " + ctx.term.safe(res.subject()));
            ctx.term.println("");
        }
        ctx.term.println(String.format("%-60s %-12s %8s", "TEST", "STATUS", "DURATION"));
        ctx.term.println("-".repeat(82));
        long total = 0;
        int passed = 0;
        int failed = 0;
        int inprogress = 0;
        for (ResultEntry e : entries) {
            total += e.duration();
            passed += e.status() == Status.PASSED ? 1 : 0;
            failed += e.status() == Status.FAILED ? 1 : 0;
            inprogress += e.status() == Status.INPROGRESS ? 1 : 0;
            ctx.term.println(String.format("%-60s ", ctx.term.safe(e.name()))
                    + ctx.term.paint(String.format("%-12s", e.status().display()), colour(e.status()))
                    + String.format(" %8s", e.duration() + "s"));
        }
        ctx.term.println(entries.size() + " total: " + passed + " passed, " + failed + " failed, " + inprogress
                + " in progress, " + ShortDuration.of(total));
    }

    static void logs(Context ctx, String prefix, Optional<String> test, boolean full) {
        LocalResults local = ctx.local();
        String sha = local.resolveCommit(prefix);
        CommitResults res = local.results(sha).orElseThrow(() -> new CliError("no test results for commit " + prefix));
        String sha12 = sha.substring(0, 12);
        if (test.isEmpty()) {
            List<ResultEntry> failed = res.entries().stream().filter(e -> e.status() == Status.FAILED)
                    .sorted(Comparator.comparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR)).toList();
            if (ctx.options.json()) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ResultEntry e : failed) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", e.name());
                    m.put("duration", e.duration());
                    out.add(m);
                }
                json(ctx, out);
                return;
            }
            ctx.term.println(failed.size() + " failed tests for " + sha12 + ":");
            for (int i = 0; i < failed.size(); i++) {
                ctx.term.println(String.format("%3d. %s (%ds)", i + 1, ctx.term.safe(failed.get(i).name()),
                        failed.get(i).duration()));
            }
            ctx.term.println("run: ci-status logs " + sha12 + " <test> [--full]");
            return;
        }
        List<ResultEntry> matches = res.entries().stream().filter(e -> e.name().contains(test.get()))
                .sorted(Comparator.comparing(ResultEntry::name, Utf8ByteOrder.COMPARATOR)).toList();
        if (matches.isEmpty()) {
            throw new CliError("no test matching '" + test.get() + "' in " + sha12);
        }
        if (matches.size() > 1) {
            matches.forEach(m -> ctx.err.println(ctx.term.safe(m.name())));
        }
        ResultEntry chosen = matches.stream().filter(e -> e.name().equals(test.get())).findFirst()
                .or(() -> matches.stream().filter(e -> e.status() == Status.FAILED).findFirst())
                .orElse(matches.get(0));
        byte[] compressed = local.logBytes(sha, chosen.name(), full)
                .orElseThrow(() -> new CliError("no log for " + chosen.name()));
        try {
            ctx.term.writeRaw(Brotli.decompress(compressed));
        } catch (IOException e) {
            throw new CliError("corrupt log for " + chosen.name() + ": " + e.getMessage());
        }
    }

    private static String colour(Status s) {
        return switch (s) {
            case PASSED -> Terminal.GREEN;
            case FAILED -> Terminal.RED;
            case INPROGRESS -> Terminal.YELLOW;
            default -> Terminal.DIM;
        };
    }

    private static Pattern regex(String re) {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new CliError("invalid test regex: " + e.getDescription());
        }
    }

    private static void json(Context ctx, Object value) {
        try {
            ctx.term.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
