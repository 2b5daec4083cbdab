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
    /** Per claim: when it was sent (nanoTime) and how long its offer took. */
    private record Claim(long sent, long nanos) {
    }

    private final List<Claim> claims = Collections.synchronizedList(new ArrayList<>());

    Behavior<JobWindow.Command> proxy(ActorRef<JobWindow.Command> window) {
        return Behaviors.setup(ctx -> Behaviors.receiveMessage(m -> {
            if (m instanceof JobWindow.ClaimBatch c) {
                long sent = System.nanoTime();
                ActorRef<BatchOffer> back = ctx.spawnAnonymous(Behaviors.receiveMessage((BatchOffer o) -> {
                    claims.add(new Claim(sent, System.nanoTime() - sent));
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
        List<Long> s = new ArrayList<>();
        synchronized (claims) {
            claims.forEach(c -> s.add(c.nanos()));
        }
        return quantile(s, q);
    }

    /** The {@code q} quantile of the latencies of claims sent at or after {@code since} (nanoTime), in ms. */
    double quantileMs(double q, long since) {
        List<Long> s = new ArrayList<>();
        synchronized (claims) {
            claims.stream().filter(c -> c.sent() - since >= 0).forEach(c -> s.add(c.nanos()));
        }
        return quantile(s, q);
    }

    private static double quantile(List<Long> s, double q) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.floor(q * s.size()))) / 1e6;
    }

    int count() {
        return claims.size();
    }

    int count(long since) {
        synchronized (claims) {
            return (int) claims.stream().filter(c -> c.sent() - since >= 0).count();
        }
    }
}
