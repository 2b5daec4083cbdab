package org.ktestci.cistatus;

import org.ktestci.schema.results.OutputDir;

/**
 * Commit ids as a server sends them are untrusted: they name cache files and go into request paths, so only
 * full 40-hex ids are taken ({@code ../x} or a short id is an error, never a path or a crash).
 */
final class ServerIds {
    private ServerIds() {
    }

    /** {@code id} if it is a full lowercase sha, else a {@link CliError}. */
    static String commit(String id) {
        if (id == null || !OutputDir.isSha(id)) {
            throw new CliError("the server sent an invalid commit id \"" + ControlBytes.escape(String.valueOf(id))
                    + "\" (expected 40 lowercase hex characters)");
        }
        return id;
    }

    /** The first 12 characters of an id for display, whatever its length. */
    static String sha12(String id) {
        return id.length() <= 12 ? id : id.substring(0, 12);
    }
}
