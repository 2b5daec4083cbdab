package org.ktestci.schema.events;

import org.ktestci.schema.events.RegressionEvent.FirstBadFound;
import org.ktestci.schema.events.RegressionEvent.Fixed;
import org.ktestci.schema.events.RegressionEvent.NewFailure;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON form of an event: the body a webhook POSTs (docs/api.md, "Webhooks"). */
public final class EventJson {
    /** Bumped when a field changes meaning or goes away; new fields do not bump it. */
    public static final int VERSION = 1;

    private EventJson() {
    }

    public static Map<String, Object> of(RegressionEvent e, EventLinks links) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("id", e.id());
        m.put("type", e.type());
        m.put("branch", e.branch());
        m.put("test", e.key());
        m.put("at", Instant.ofEpochSecond(e.at()).toString());
        Map<String, Object> commit = new LinkedHashMap<>();
        commit.put("sha", e.commit().sha());
        commit.put("subject", e.commit().subject());
        commit.put("author", e.commit().author());
        commit.put("url", links.commit(e.branch(), e.commit().sha()));
        m.put("commit", commit);
        m.put("test_url", links.test(e.branch(), e.key()));
        if (e instanceof NewFailure n) {
            m.put("previous_commit", n.previousSha().orElse(null));
            m.put("log_url", links.log(n.commit().sha(), n.key()));
            m.put("known_issue", n.known().map(k -> Map.of("id", k.id(), "url", k.url())).orElse(null));
        } else if (e instanceof Fixed f) {
            m.put("failing_commit", f.failingSha());
            m.put("log_url", links.log(f.commit().sha(), f.key()));
        } else if (e instanceof FirstBadFound f) {
            m.put("exact", f.exact());
            m.put("last_good_commit", f.lastGoodSha());
            m.put("detected_at_commit", f.detectedAtSha());
        }
        return m;
    }
}
