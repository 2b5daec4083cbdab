package org.ktestci.bench;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.ktestci.coordinator.scheduling.BatchOffer;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Sits between the executors and the JobWindow and times each claim: from the {@code ClaimBatch} leaving the
 * executor to its {@code BatchOffer} coming back (lease grant latency). Everything else passes through unchanged.
 */
final class ClaimTimer {
    private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

    Behavior<JobWindow.Command> proxy(ActorRef<JobWindow.Command> window) {
        return Behaviors.setup(ctx -> Behaviors.receiveMessage(m -> {
            if (m instanceof JobWindow.ClaimBatch c) {
                long sent = System.nanoTime();
                ActorRef<BatchOffer> back = ctx.spawnAnonymous(Behaviors.receiveMessage((BatchOffer o) -> {
                    nanos.add(System.nanoTime() - sent);
                    c.replyTo().tell(o);
                    return Behaviors.stopped();
                }));
                window.tell(new JobWindow.ClaimBatch(c.host(), c.slot(), c.arch(), back));
            } else {
                window.tell(m);
            }
            return Behaviors.same();
        }));
    }

    /** The {@code q} quantile of the latencies so far, in milliseconds. */
    double quantileMs(double q) {
        List<Long> s;
        synchronized (nanos) {
            s = new ArrayList<>(nanos);
        }
        if (s.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.floor(q * s.size()))) / 1e6;
    }

    int count() {
        return nanos.size();
    }
}
