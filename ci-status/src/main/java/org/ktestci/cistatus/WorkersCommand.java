package org.ktestci.cistatus;

import com.fasterxml.jackson.databind.JsonNode;
import org.ktestci.schema.config.ConfigException;
import org.ktestci.schema.results.ShortDuration;
import picocli.CommandLine.Command;


/**
 * {@code ci-status workers}: always a server query ({@code --remote} or {@code ci_url}, cli.md §2): the hosts
 * table, then one row per busy slot (cli.md §3); {@code --json} prints {@code /api/v1/workers} unchanged.
 */
@Command(name = "workers", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Worker hosts and busy slots (needs --remote or ci_url).")
final class WorkersCommand extends Subcommand {
    @Override
    public Integer call() throws ConfigException {
        Session session = session();
        String url = session.remoteUrl().orElseThrow(() -> new CliError("workers needs --remote or ci_url"));
        JsonNode doc = new ServerApi(url).get("/api/v1/workers");
        Terminal out = session.out();
        if (session.json()) {
            Json.print(out, doc);
            return 0;
        }
        out.line(String.format("%-24s %-8s %5s %5s  %s", "HOST", "ARCH", "SLOTS", "BUSY", "STATE"));
        for (JsonNode h : doc.path("hosts")) {
            long busy = 0;
            for (JsonNode s : h.path("slot_list")) {
                busy += "busy".equals(s.path("state").asText()) ? 1 : 0;
            }
            String state = h.path("state").asText();
            if (state.equals("quarantined") && h.hasNonNull("quarantined_until")) {
                state = "quarantined (until " + h.get("quarantined_until").asText() + ")";
            }
            Terminal.Colour colour = switch (h.path("state").asText()) {
                case "up" -> Terminal.Colour.GREEN;
                case "quarantined" -> Terminal.Colour.YELLOW;
                default -> Terminal.Colour.RED;
            };
            out.line(String.format("%-24s %-8s %5d %5d  ", out.untrusted(h.path("host").asText()),
                    h.path("arch").asText(), h.path("slots").asInt(), busy) + out.paint(state, colour));
        }
        out.line("");
        out.line(String.format("%-28s %8s  %-12s %s %s", "SLOT", "ELAPSED", "COMMIT", "TEST", "SUBTEST"));
        for (JsonNode h : doc.path("hosts")) {
            for (JsonNode s : h.path("slot_list")) {
                JsonNode l = s.path("lease");
                if (!"busy".equals(s.path("state").asText()) || l.isMissingNode() || l.isNull()) {
                    continue;
                }
                String current = l.path("current_subtest").asText("");
                int position = 0;
                int total = l.path("subtests").size();
                for (int i = 0; i < total; i++) {
                    if (l.path("subtests").get(i).asText().equals(current)) {
                        position = i + 1;
                    }
                }
                String slot = h.path("host").asText() + ":" + s.path("slot").asInt();
                out.line(String.format("%-28s %8s  %-12s %s %s (%d/%d)", out.untrusted(slot),
                        ShortDuration.of(l.path("elapsed_secs").asLong()), out.untrusted(ServerIds.sha12(l.path("commit").asText())),
                        out.untrusted(l.path("test").asText()), out.untrusted(current.isEmpty() ? "-" : current),
                        position, total));
            }
        }
        return 0;
    }
}
