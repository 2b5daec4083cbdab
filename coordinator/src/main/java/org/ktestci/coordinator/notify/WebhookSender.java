package org.ktestci.coordinator.notify;

import org.ktestci.schema.config.AdminTokenFile;
import org.ktestci.schema.config.NotifyConfig;
import org.ktestci.schema.config.WebhookSecretFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * POSTs event bodies to the configured webhooks (issue 14 item 8) on threads of its own, so the coordinator's
 * actors only hand over bytes: {@link #offer} never blocks. Each (event, URL) is one delivery, tried up to
 * {@code maxAttempts} times with exponential back-off and jitter on a connection error, a timeout, 408, 429 or
 * 5xx; any other status ends it. At most {@code capacity} deliveries are outstanding (waiting, in flight or
 * backing off); beyond that an offer is dropped, counted and logged. The URLs and the secret are read when an
 * event is offered and when it is sent, so a config reload applies at once. The secret's content is never logged.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    /** Retry and queue bounds. Delay before attempt n ≥ 2: {@code firstDelay × 2^(n-2)}, capped, × [0.5, 1.5). */
    public record Policy(int maxAttempts, Duration firstDelay, Duration maxDelay, Duration timeout, int capacity) {
        public static final Policy DEFAULT = new Policy(6, Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofSeconds(10), 1000);

        Duration delayBefore(int attempt, double random) {
            long base = firstDelay.toMillis() << Math.min(30, attempt - 2);
            long capped = Math.min(Math.max(base, 0), maxDelay.toMillis());
            return Duration.ofMillis((long) (capped * (0.5 + random)));
        }
    }

    /** What the sender reports: counted in {@code ktest_ci_webhook_*} metrics. */
    public interface Listener {
        /** One HTTP attempt's result: {@code 2xx}, {@code 4xx}, {@code 5xx} or {@code error}. */
        void attempted(String result);

        /** A delivery's end: {@code delivered}, {@code failed} or {@code dropped}. */
        void settled(String outcome);

        /** Deliveries outstanding now. */
        void outstanding(int n);

        Listener NONE = new Listener() {
            @Override
            public void attempted(String result) {
            }

            @Override
            public void settled(String outcome) {
            }

            @Override
            public void outstanding(int n) {
            }
        };
    }

    private final Supplier<NotifyConfig> config;
    private final Policy policy;
    private final Listener listener;
    private final String userAgent;
    private final ExecutorService io = Executors.newFixedThreadPool(2, daemon("ktest-ci-webhook-io"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            daemon("ktest-ci-webhook-timer"));
    private final HttpClient client;
    private final AtomicInteger outstanding = new AtomicInteger();

    public WebhookSender(Supplier<NotifyConfig> config, Policy policy, Listener listener, String version) {
        this.config = config;
        this.policy = policy;
        this.listener = listener;
        this.userAgent = "ktest-ci/" + version;
        // Redirects are not followed: a webhook answers where it was configured, or the delivery fails.
        this.client = HttpClient.newBuilder().executor(io).connectTimeout(policy.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One event to every configured URL; returns how many deliveries were queued (the rest were dropped). */
    public int offer(String eventId, String type, byte[] body) {
        int queued = 0;
        for (URI url : config.get().webhookUrls()) {
            if (outstanding.incrementAndGet() > policy.capacity()) {
                outstanding.decrementAndGet();
                listener.settled("dropped");
                LOG.warn("webhook queue full ({} deliveries outstanding): dropped event={} url={}",
                        policy.capacity(), eventId, redacted(url));
                continue;
            }
            listener.outstanding(outstanding.get());
            Delivery d = new Delivery(eventId, type, url, body);
            try {
                timer.execute(() -> attempt(d, 1));
                queued++;
            } catch (RejectedExecutionException e) {
                settle(d, "dropped", "sender closed");
            }
        }
        return queued;
    }

    private record Delivery(String eventId, String type, URI url, byte[] body) {}

    private void attempt(Delivery d, int n) {
        HttpRequest request;
        try {
            request = request(d);
        } catch (AdminTokenFile.Problem p) {
            settle(d, "failed", "webhook_secret_file: " + p.getMessage());
            return;
        }
        CompletableFuture<HttpResponse<Void>> sent;
        try {
            sent = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        } catch (RejectedExecutionException e) {
            settle(d, "dropped", "sender closed");
            return;
        }
        sent.whenComplete((response, error) -> {
            int status = response == null ? 0 : response.statusCode();
            String result = error != null ? "error" : status / 100 == 2 ? "2xx" : status >= 500 ? "5xx" : "4xx";
            listener.attempted(result);
            if (result.equals("2xx")) {
                settle(d, "delivered", "");
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            String why = cause != null ? cause.getClass().getSimpleName() : "HTTP " + status;
            boolean retry = error != null || status >= 500 || status == 408 || status == 429;
            if (!retry || n >= policy.maxAttempts()) {
                settle(d, "failed", why + " at attempt " + n);
                return;
            }
            Duration delay = policy.delayBefore(n + 1, ThreadLocalRandom.current().nextDouble());
            LOG.info("webhook attempt failed, retrying: event={} url={} attempt={} result={} retry_in_ms={}",
                    d.eventId(), redacted(d.url()), n, why, delay.toMillis());
            try {
                timer.schedule(() -> attempt(d, n + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                settle(d, "dropped", "sender closed");
            }
        });
    }

    private HttpRequest request(Delivery d) throws AdminTokenFile.Problem {
        HttpRequest.Builder b = HttpRequest.newBuilder(d.url()).timeout(policy.timeout())
                .header("Content-Type", "application/json; charset=utf-8").header("User-Agent", userAgent)
                .header("X-KtestCI-Event", d.type()).header("X-KtestCI-Delivery", d.eventId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
        var secretFile = config.get().secretFile();
        if (secretFile.isPresent()) {
            b.header(WebhookSignature.HEADER, WebhookSignature.of(WebhookSecretFile.read(secretFile.get()), d.body()));
        }
        return b.build();
    }

    private void settle(Delivery d, String outcome, String why) {
        listener.outstanding(outstanding.decrementAndGet());
        listener.settled(outcome);
        if (!outcome.equals("delivered")) {
            LOG.warn("webhook not delivered: event={} url={} outcome={} reason={}", d.eventId(), redacted(d.url()),
                    outcome, why);
        }
    }

    /**
     * A URL as logs show it: scheme, host and port only. Many webhook services put their token in the path or the
     * query ({@code /services/T0/B0/XXXX}), so neither is logged.
     */
    static String redacted(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/") ? "" : "/…");
    }

    /** Deliveries waiting, in flight or backing off. */
    public int outstanding() {
        return outstanding.get();
    }

    /** Stops at once: deliveries still outstanding are lost (at most once, docs/api.md). */
    @Override
    public void close() {
        timer.shutdownNow();
        io.shutdownNow();
    }
}
