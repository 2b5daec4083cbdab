package org.ktestci.launcher;

import org.ktestci.schema.config.CiConfig;

/** The dashboard's address a program prints at start: the bound host (ci_host for a wildcard bind) and port. */
public final class DashboardUrl {
    private DashboardUrl() {
    }

    public static String of(CiConfig c, int port) {
        String host = c.http().bindHost();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = c.ciHost();
        }
        return "http://" + host + ":" + port + c.http().basePath() + "/ci";
    }
}
