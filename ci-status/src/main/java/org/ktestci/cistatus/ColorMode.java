package org.ktestci.cistatus;

import java.util.Map;

/** {@code --color}: {@code auto} colours only a tty, with {@code NO_COLOR} unset and {@code TERM} not dumb. */
enum ColorMode {
    AUTO, ALWAYS, NEVER;

    boolean enabled(boolean stdoutIsTty, Map<String, String> env) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> stdoutIsTty && !env.containsKey("NO_COLOR") && !"dumb".equals(env.get("TERM"));
        };
    }
}
