package org.ktestci.bench;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import org.apache.pekko.dispatch.UnboundedMessageQueueSemantics;
import scala.Option;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An unbounded mailbox that counts what waits in it, so a benchmark can report an actor's mailbox depth (the
 * JobWindow's, at 1,000 slots). Selected by config ({@code mailbox-type = "org.ktestci.bench.DepthMailbox"}); the
 * depth of the last queue created is {@link #depth()}, its highest {@link #highest()}.
 */
public final class DepthMailbox implements MailboxType, ProducesMessageQueue<DepthMailbox.Queue> {
    private static final AtomicInteger DEPTH = new AtomicInteger();
    private static final AtomicInteger HIGHEST = new AtomicInteger();

    public DepthMailbox(ActorSystem.Settings settings, Config config) {
    }

    static int depth() {
        return DEPTH.get();
    }

    static int highest() {
        return HIGHEST.get();
    }

    static void reset() {
        DEPTH.set(0);
        HIGHEST.set(0);
    }

    @Override
    public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
        return new Queue();
    }

    static final class Queue implements MessageQueue, UnboundedMessageQueueSemantics {
        private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();

        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
            queue.add(handle);
            int n = DEPTH.incrementAndGet();
            HIGHEST.accumulateAndGet(n, Math::max);
        }

        @Override
        public Envelope dequeue() {
            Envelope e = queue.poll();
            if (e != null) {
                DEPTH.decrementAndGet();
            }
            return e;
        }

        @Override
        public int numberOfMessages() {
            return queue.size();
        }

        @Override
        public boolean hasMessages() {
            return !queue.isEmpty();
        }

        @Override
        public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
            for (Envelope e; (e = dequeue()) != null; ) {
                deadLetters.enqueue(owner, e);
            }
        }
    }
}
