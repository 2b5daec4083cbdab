package org.ktestci.schema.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code [hosts.*]} (config.md §6.1): values that win over what a worker announces. */
final class HostsReader {
    static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.-]+$");

    private final TomlReader r;

    HostsReader(TomlReader r) {
        this.r = r;
    }

    Map<String, HostConfig> read(Optional<TomlScope> section) {
        Map<String, HostConfig> out = new LinkedHashMap<>();
        if (section.isEmpty()) {
            return Collections.unmodifiableMap(out);
        }
        TomlScope hosts = section.get();
        for (String name : hosts.table().keySet()) {
            Optional<TomlScope> so = r.table(hosts, name);
            if (so.isEmpty()) {
                continue;
            }
            TomlScope s = so.get();
            if (!HOST.matcher(name).matches()) {
                r.error(hosts, name, "host name must match ^[A-Za-z0-9.-]+$");
            }
            r.unknownKeys(s, List.of("slots", "arch"), Map.of());
            Optional<Integer> slots = r.validInt(s, "slots", 1, 256);
            out.put(name, new HostConfig(name, slots, r.arch(s, "arch")));
        }
        return Collections.unmodifiableMap(out);
    }
}
