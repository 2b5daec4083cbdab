package org.ktestci.schema.events;

import java.util.List;

/**
 * Where the feed and the webhooks read bisection's conclusions from (issue 14 item 3 plugs in here): the
 * {@link RegressionEvent.FirstBadFound} findings of a branch, any order. Cheap and non-blocking enough to be asked
 * on every feed request and every notifier scan; findings must be derived from persisted state (the journal) so
 * their ids stay the same across restarts.
 */
@FunctionalInterface
public interface FirstBadSource {
    FirstBadSource NONE = branch -> List.of();

    List<RegressionEvent.FirstBadFound> findings(String branch);
}
