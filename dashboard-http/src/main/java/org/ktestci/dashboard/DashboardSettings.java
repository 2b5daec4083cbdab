package org.ktestci.dashboard;

/** Where the dashboard listens and the prefix of every route ({@code [http]}, config.md §6.2). */
public record DashboardSettings(String bindHost, int port, String basePath) {
}
