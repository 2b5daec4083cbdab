package org.ktestci.schema.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code [cluster]} (config.md §6.2), the part every node reads. */
final class ClusterReader {
    static final int DEFAULT_PORT = 25520;
    static final String SYSTEM_NAME = "ktest-ci";
    /** {@code pekko://<system>@<host>:<port>}, the host a name, an IPv4 or a bracketed IPv6 address. */
    private static final Pattern SEED =
            Pattern.compile("^pekko://([^@/\\s]*)@([^:/@\\s\\[\\]]+|\\[[0-9A-Fa-f:.]+]):(\\d{1,5})$");
    private static final List<String> KEYS = List.of("seed_nodes", "bind_host", "port", "advertise_host", "tls_cert",
            "tls_key", "tls_ca", "insecure_plaintext");
    private static final List<String> TLS_KEYS = List.of("tls_cert", "tls_key", "tls_ca");

    private final TomlReader r;
    private final TomlScope root;
    private final ConfigRole role;

    ClusterReader(TomlReader r, TomlScope root, ConfigRole role) {
        this.r = r;
        this.root = root;
        this.role = role;
    }

    /**
     * @param ciHost    {@code ci_host} or its default, for the default seed node
     * @param ciHostSet whether the file sets {@code ci_host} (a worker needs it or {@code seed_nodes})
     */
    ClusterConfig read(String ciHost, boolean ciHostSet) {
        TomlScope s = r.table(root, "cluster").orElseGet(() -> root.absent("cluster"));
        r.unknownKeys(s, KEYS, Map.of());
        Optional<List<String>> seeds = r.stringArray(s, "seed_nodes").map(els -> seeds(s, els));
        String bindHost = r.string(s, "bind_host").orElse("0.0.0.0");
        int port = r.intIn(s, "port", 0, 65535, DEFAULT_PORT);
        Optional<String> advertise = r.string(s, "advertise_host");
        Optional<Path> cert = r.path(s, "tls_cert");
        Optional<Path> key = r.path(s, "tls_key");
        Optional<Path> ca = r.path(s, "tls_ca");
        boolean plaintext = r.bool(s, "insecure_plaintext").orElse(false);
        if (role != ConfigRole.CI_STATUS && !plaintext) {
            for (String k : TLS_KEYS) {
                if (!r.has(s, k)) {
                    r.errorAt(s.line(), s.column(), s.keyPath(k),
                            "required key missing (or set cluster.insecure_plaintext = true for a local demo)");
                }
            }
        }
        if (role.needsSeed() && !ciHostSet && !r.has(s, "seed_nodes")) {
            r.errorAt(1, 1, "ci_host", "required key missing (a worker needs ci_host or cluster.seed_nodes)");
        }
        List<String> seedList = seeds.orElse(List.of("pekko://" + SYSTEM_NAME + "@" + ciHost + ":" + DEFAULT_PORT));
        return new ClusterConfig(seedList, seeds.isPresent(), bindHost, port, advertise, cert, key, ca, plaintext);
    }

    private List<String> seeds(TomlScope s, List<TomlReader.Element> els) {
        if (els.isEmpty()) {
            r.error(s, "seed_nodes", "must name at least one seed node");
        }
        List<String> out = new ArrayList<>();
        for (TomlReader.Element e : els) {
            Matcher m = SEED.matcher(e.value());
            String problem = null;
            if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
                problem = "must be pekko://" + SYSTEM_NAME + "@<host>:<port>, got \"" + e.value() + "\"";
            } else if (!m.group(1).equals(SYSTEM_NAME)) {
                problem = "system name must be \"" + SYSTEM_NAME + "\", got \"" + m.group(1) + "\"";
            }
            if (problem != null) {
                r.errorAt(e.line(), e.column(), s.keyPath("seed_nodes") + "[" + e.index() + "]", problem);
            }
            out.add(e.value());
        }
        return out;
    }
}
