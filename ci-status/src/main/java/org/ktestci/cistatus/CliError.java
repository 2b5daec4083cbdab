package org.ktestci.cistatus;

/** A failure reported as one line {@code ci-status: <message>} on stderr with exit status 1 (cli.md §5). */
final class CliError extends RuntimeException {
    CliError(String message) {
        super(message, null, false, false);
    }
}
