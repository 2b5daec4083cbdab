package org.ktestci.coordinator.results;

import java.util.List;

/** Told what each render wrote (the SSE hub and latency metrics listen): changed entries of one commit. */
@FunctionalInterface
public interface ProjectionListener {
    ProjectionListener NONE = (sha, changed) -> { };

    void rendered(String sha, List<ResultRecord> changed);
}
