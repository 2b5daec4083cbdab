package org.ktestci.coordinator.notify;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ktestci.schema.config.NotifyConfig;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook sender against a real receiver on 127.0.0.1 (issue 14 item 8). */
class WebhookSenderTest {
    static final String SECRET = "s3cret-0123456789-abcdef";
    static final byte[] BODY = "{\"id\":\"new_failure-1\",\"subject\":\"<&>\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    final WebhookReceiver receiver = newReceiver();
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final AtomicInteger outstandingSeen = new AtomicInteger();
    WebhookSender sender;

    static WebhookReceiver newReceiver() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        if (sender != null) {
            sender.close();
        }
        receiver.close();
    }

    final WebhookSender.Listener listener = new WebhookSender.Listener() {
        @Override
        public void attempted(String result) {
            counts.computeIfAbsent("attempt " + result, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void settled(String outcome) {
            counts.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void outstanding(int n) {
            outstandingSeen.accumulateAndGet(n, Math::max);
        }
    };

    int count(String what) {
        return counts.getOrDefault(what, new AtomicInteger()).get();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    WebhookSender sender(AtomicReference<NotifyConfig> config, WebhookSender.Policy policy) {
        sender = new WebhookSender(config::get, policy, listener, "test");
        return sender;
    }

    static WebhookSender.Policy fast(int attempts, int capacity) {
        return new WebhookSender.Policy(attempts, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10),
                capacity);
    }

    Path secretFile() throws Exception {
        Path f = dir.resolve("hook.secret");
        Files.writeString(f, SECRET + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void postsTheBodySignedWithTheSecret() throws Exception {
        var config = new AtomicReference<>(new NotifyConfig(List.of(receiver.url("/hook?x=1")), Optional.of(secretFile())));
        assertEquals(1, sender(config, fast(3, 10)).offer("new_failure-1", "new_failure", BODY));
        await("the delivery", () -> count("delivered") == 1);
        WebhookReceiver.Request r = receiver.requests.get(0);
        assertEquals("/hook?x=1", r.path());
        assertEquals(new String(BODY, StandardCharsets.UTF_8), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/json; charset=utf-8", r.header("Content-Type"));
        assertEquals("new_failure", r.header("X-KtestCI-Event"));
        assertEquals("new_failure-1", r.header("X-KtestCI-Delivery"));
        assertEquals("ktest-ci/test", r.header("User-Agent"));
        // What a receiver does: HMAC-SHA256 of the raw body with the shared secret, compared in constant time.
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body()));
        assertTrue(MessageDigest.isEqual(expected.getBytes(), r.header("X-KtestCI-Signature").getBytes()),
                r.header("X-KtestCI-Signature"));
        assertEquals(0, sender.outstanding());

        // Without a secret file nothing is signed.
        config.set(new NotifyConfig(List.of(receiver.url("/plain")), Optional.empty()));
        sender.offer("fixed-2", "fixed", BODY);
        await("the second delivery", () -> count("delivered") == 2);
        assertNull(receiver.requests.get(1).header("X-KtestCI-Signature"));
        assertEquals("/plain", receiver.requests.get(1).path(), "the reloaded URL list applies to the next offer");
    }

    @Test
    void retriesAfter500sWithGrowingBackOff() throws Exception {
        AtomicInteger n = new AtomicInteger();
        receiver.answer = () -> n.incrementAndGet() <= 3 ? 500 : 204;
        var config = new AtomicReference<>(new NotifyConfig(List.of(receiver.url("/")), Optional.empty()));
        sender(config, fast(5, 10)).offer("e", "fixed", BODY);
        await("delivery after three 500s", () -> count("delivered") == 1);
        assertEquals(4, receiver.requests.size());
        assertEquals(3, count("attempt 5xx"));
        assertEquals(1, count("attempt 2xx"));
        for (WebhookReceiver.Request r : receiver.requests) {
            assertEquals(new String(BODY, StandardCharsets.UTF_8), new String(r.body(), StandardCharsets.UTF_8),
                    "every retry sends the same body");
        }
        // Delay before attempt k is 100 ms × 2^(k-2) × [0.5, 1.5): at least 50, 100 and 200 ms.
        long[] minGapMillis = {50, 100, 200};
        for (int i = 1; i < 4; i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(receiver.requests.get(i).atNanos()
                    - receiver.requests.get(i - 1).atNanos());
            assertTrue(gap >= minGapMillis[i - 1], "gap before attempt " + (i + 1) + ": " + gap + " ms");
        }
    }

    @Test
    void givesUpAfterItsAttemptsAndNeverRetriesAClientError() throws Exception {
        receiver.answer = () -> 503;
        var config = new AtomicReference<>(new NotifyConfig(List.of(receiver.url("/")), Optional.empty()));
        sender(config, fast(3, 10)).offer("e", "fixed", BODY);
        await("giving up", () -> count("failed") == 1);
        assertEquals(3, receiver.requests.size(), "bounded attempts");

        receiver.answer = () -> 400;
        sender.offer("e2", "fixed", BODY);
        await("the client error", () -> count("failed") == 2);
        assertEquals(4, receiver.requests.size(), "a 400 is not retried");
        assertEquals(0, sender.outstanding());
    }

    @Test
    void anUnreachableReceiverIsRetriedToo() throws Exception {
        URI closed = receiver.url("/");
        receiver.close();
        var config = new AtomicReference<>(new NotifyConfig(List.of(closed), Optional.empty()));
        sender(config, fast(2, 10)).offer("e", "fixed", BODY);
        await("giving up", () -> count("failed") == 1);
        assertEquals(2, count("attempt error"));
    }

    @Test
    void offersNeverBlockAndOverflowIsDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.beforeAnswer = () -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        var config = new AtomicReference<>(new NotifyConfig(List.of(receiver.url("/")), Optional.empty()));
        sender(config, fast(3, 2));
        // The receiver holds every request; offers must still return, and past the capacity they are dropped.
        int queued = 0;
        for (int i = 0; i < 5; i++) {
            queued += sender.offer("e" + i, "fixed", BODY);
        }
        assertEquals(2, queued);
        assertEquals(3, count("dropped"));
        assertEquals(2, sender.outstanding());
        await("both requests at the receiver", () -> receiver.requests.size() == 2);
        release.countDown();
        await("both delivered", () -> count("delivered") == 2);
        assertEquals(2, outstandingSeen.get());
        assertEquals(0, sender.outstanding());
    }

    @Test
    void neitherTheSecretNorTheUrlsPathIsLogged() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(WebhookSender.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try {
            receiver.answer = () -> 500;
            var config = new AtomicReference<>(new NotifyConfig(List.of(receiver.url("/services/T0/B0/TOKEN123")),
                    Optional.of(secretFile())));
            sender(config, fast(2, 10)).offer("e", "fixed", BODY);
            await("giving up", () -> count("failed") == 1);
            // A secret made world-readable after start is refused at send time, by name only.
            Files.setPosixFilePermissions(dir.resolve("hook.secret"), PosixFilePermissions.fromString("rw-r--r--"));
            sender.offer("e2", "fixed", BODY);
            await("the refusal", () -> count("failed") == 2);
            assertEquals(2, receiver.requests.size(), "nothing unsigned was sent");
        } finally {
            log.detachAppender(captured);
        }
        List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("webhook not delivered") && l.contains("HTTP 500")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("must not be world-readable")), lines.toString());
        for (String l : lines) {
            assertFalse(l.contains(SECRET), l);
            assertFalse(l.contains("TOKEN123"), l);
        }
        assertTrue(lines.get(0).contains("url=http://127.0.0.1:"), lines.get(0));
    }
}
