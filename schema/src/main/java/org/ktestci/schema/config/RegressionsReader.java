package org.ktestci.schema.config;

import java.util.regex.Pattern;

/** Reads the regression-finding keys of issue 14 (see {@link RegressionConfig}). */
final class RegressionsReader {
    private static final Pattern ORIGIN = Pattern.compile("^[a-z0-9_]+$");

    private final TomlReader r;
    private final TomlScope root;

    RegressionsReader(TomlReader r, TomlScope root) {
        this.r = r;
        this.root = root;
    }

    RegressionConfig read() {
        String origin = r.string(root, "kcidb_origin").orElse(RegressionConfig.DEFAULT_ORIGIN);
        if (!ORIGIN.matcher(origin).matches()) {
            r.error(root, "kcidb_origin", "must match ^[a-z0-9_]+$, got \"" + origin + "\"");
            origin = RegressionConfig.DEFAULT_ORIGIN;
        }
        return new RegressionConfig(origin);
    }
}
