package org.ktestci.coordinator.notify;

import org.ktestci.coordinator.journal.JsonSerializable;

import java.util.List;

/**
 * Events of {@link Notifier} (persistence id {@code notifier}): which regression event ids were announced, so a
 * restarted coordinator (or the singleton on another node) does not send them again.
 */
public sealed interface NotifierEvent extends JsonSerializable {
    /**
     * Webhooks were switched on, or these branches were first seen with webhooks on: their current events are
     * recorded as announced without being sent (switching webhooks on does not replay a branch's history).
     */
    record BranchesBaselined(List<String> branches, List<String> ids, long at) implements NotifierEvent {
    }

    /** These events were handed to the sender (before it tried: at most once). */
    record EventsAnnounced(List<String> ids, long at) implements NotifierEvent {
    }

    /** {@code webhook_urls} became empty: switching them on again starts from a new baseline. */
    record WebhooksDisabled(long at) implements NotifierEvent {
    }
}
