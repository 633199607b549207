package dev.riffle.sink;

import dev.riffle.config.Config;
import dev.riffle.core.Point;
import dev.riffle.core.PointTarget;
import dev.riffle.core.SeriesId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus remote write 1.0 as a durable target: points become samples (the window start in milliseconds) of
 * series named by {@link PrometheusNames}, gathered into requests of at most {@code prometheus.batch_samples} and
 * POSTed by {@link RemoteWriteClient}. The receiver's 2xx is its acknowledgement, so a flush is confirmed as soon as
 * it was answered (no commit delay): nothing is committed past a sample the receiver did not answer 2xx for.
 *
 * <p>Failures, by what sending again would do:
 * <ul>
 *   <li>429, 5xx, timeouts, no connection: it may pass later. The flush fails (the sink rewinds and holds its
 *       offsets) and the target is down; {@link #ready()} probes the URL with an empty request once its backoff
 *       (100 ms, doubling up to {@code prometheus.max_backoff_ms}) has passed. One line when an outage starts, one
 *       when it ends.
 *   <li>any other 4xx: it never will. Prometheus refuses a whole request for one bad sample (400: out of order,
 *       too old, duplicate timestamp), so a refused request of several samples is split in halves and each sent
 *       again, which isolates the bad samples and stores the good ones (at most {@link #SPLIT_REQUESTS} extra
 *       requests per flush; beyond that the rest of a refused part is skipped whole). Refused samples are counted
 *       and skipped, never retried: one line per status at most once a minute. A 401/403/404 is not split (every
 *       half would get the same answer).
 * </ul>
 *
 * <p>A replay or a sink rewind sends samples again with the timestamps they had. Receivers that keep the first
 * (VictoriaMetrics with {@code -dedup.minScrapeInterval}, Prometheus and Mimir with an out-of-order window) store
 * them once; see the README's Prometheus section.
 */
public final class PrometheusTarget implements PointTarget {
    private static final Logger log = LoggerFactory.getLogger(PrometheusTarget.class);
    /** extra requests one flush may spend splitting refused requests to isolate their bad samples */
    static final int SPLIT_REQUESTS = 64;
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long LOG_EVERY_MS = 60_000;

    private final RemoteWriteClient client;
    private final RemoteWriteBatch batch;
    private final PrometheusNames names = new PrometheusNames(200_000);
    private final long maxBackoffMs;
    private final byte[] probe;

    private boolean down;
    private long backoffMs;
    private long nextAttemptNanos;
    private long downSinceNanos;
    private long triesWhileDown;
    private long lastDownLogNanos;
    private volatile String downReason;
    private RemoteWriteClient.Answer lastFailure;
    private int splitBudget;

    private final LongAdder stored = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder outages = new LongAdder();
    private final Map<Integer, Long> lastRefusalLog = new HashMap<>();
    private final Map<Integer, Long> refusedSinceLog = new HashMap<>();

    PrometheusTarget(RemoteWriteClient client, int batchSamples, long maxBackoffMs) {
        this.client = client;
        this.batch = new RemoteWriteBatch(batchSamples);
        this.maxBackoffMs = maxBackoffMs;
        this.probe = new RemoteWriteBatch(1).encode(0, 0);
    }

    /** The target the configuration asks for: none when {@code prometheus.remote_write_url} is empty. */
    public static List<PointTarget> configured(Config config) {
        String url = config.get(SinkKeys.PROMETHEUS_URL).strip();
        if (url.isEmpty()) {
            return List.of();
        }
        String user = config.get(SinkKeys.PROMETHEUS_BASIC_AUTH_USER);
        String tenant = config.get(SinkKeys.PROMETHEUS_TENANT);
        RemoteWriteClient client = new RemoteWriteClient(url,
                Duration.ofMillis(config.get(SinkKeys.PROMETHEUS_TIMEOUT_MS)),
                file(config.get(SinkKeys.PROMETHEUS_CA_FILE)), file(config.get(SinkKeys.PROMETHEUS_BEARER_TOKEN_FILE)),
                user.isBlank() ? null : user, file(config.get(SinkKeys.PROMETHEUS_BASIC_AUTH_PASSWORD_FILE)),
                tenant.isBlank() ? null : tenant.strip());
        return List.of(new PrometheusTarget(client, config.get(SinkKeys.PROMETHEUS_BATCH_SAMPLES),
                config.get(SinkKeys.PROMETHEUS_MAX_BACKOFF_MS)));
    }

    private static Path file(String name) {
        return name.isBlank() ? null : Path.of(name.strip());
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** A point of a series named by its identity; false when the batch is full (flush, then offer it again). */
    @Override
    public boolean accept(SeriesId id, Point point) {
        return batch.add(names.series(id), point.value(), point.timestampSeconds() * 1000);
    }

    @Override
    public boolean flush() {
        summariseRefusals();
        if (batch.isEmpty()) {
            return true;
        }
        if (down) {
            batch.clear();
            return false;
        }
        splitBudget = SPLIT_REQUESTS;
        boolean ok = send(0, batch.size());
        batch.clear(); // sent, skipped, or to be delivered again after the sink's rewind
        if (!ok) {
            wentDown(lastFailure);
        }
        return ok;
    }

    /** Sends samples [from, to); false when the receiver may take them later (the caller rewinds). */
    private boolean send(int from, int to) {
        requests.increment();
        RemoteWriteClient.Answer a = client.post(batch.encode(from, to));
        switch (a.outcome()) {
            case STORED -> {
                stored.add(to - from);
                return true;
            }
            case RETRY -> {
                lastFailure = a;
                return false;
            }
            default -> {
                boolean splittable = a.status() == 400 || a.status() == 413 || a.status() == 422;
                if (splittable && to - from > 1 && splitBudget >= 2) {
                    if (splitBudget == SPLIT_REQUESTS) {
                        batch.groupBySeries(); // the first split: along series
                    }
                    splitBudget -= 2;
                    int mid = (from + to) >>> 1;
                    return send(from, mid) && send(mid, to);
                }
                refused(a, from, to);
                return true;
            }
        }
    }

    private void refused(RemoteWriteClient.Answer a, int from, int to) {
        int n = to - from;
        refused.add(n);
        refusedSinceLog.merge(a.status(), (long) n, Long::sum);
        long now = System.nanoTime();
        Long last = lastRefusalLog.get(a.status());
        if (last == null || now - last >= LOG_EVERY_MS * 1_000_000) {
            lastRefusalLog.put(a.status(), now);
            long since = refusedSinceLog.remove(a.status());
            log.warn("prometheus remote write to {} refused {} sample(s) with {} ({}); skipped, never sent again "
                            + "(e.g. {} at {} ms; {} refused in all so far)", client.url(), since, a.detail(),
                    hint(a.status()), batch.series(from), batch.millis(from), refused.sum());
        }
    }

    /** Refusals held back by the once-a-minute limit are told once their minute is over, even if none follow. */
    private void summariseRefusals() {
        if (refusedSinceLog.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        refusedSinceLog.entrySet().removeIf(e -> {
            if (now - lastRefusalLog.get(e.getKey()) < LOG_EVERY_MS * 1_000_000) {
                return false;
            }
            lastRefusalLog.put(e.getKey(), now);
            log.warn("prometheus remote write to {} refused {} more sample(s) with HTTP {} in the last minute ({}); "
                    + "skipped ({} refused in all so far)", client.url(), e.getValue(), e.getKey(),
                    hint(e.getKey()), refused.sum());
            return true;
        });
    }

    private static String hint(int status) {
        return switch (status) {
            case 400 -> "samples it will not store: out of order, too old or a duplicate timestamp; see the "
                    + "receiver's out-of-order window";
            case 401, 403 -> "check the credentials: prometheus.bearer_token_file, prometheus.basic_auth_*";
            case 404, 405 -> "check prometheus.remote_write_url (Prometheus needs --web.enable-remote-write-receiver)";
            case 413 -> "a single sample too large for the receiver";
            default -> "the receiver will not take them if sent again";
        };
    }

    private void wentDown(RemoteWriteClient.Answer a) {
        long now = System.nanoTime();
        backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(maxBackoffMs, backoffMs * 2);
        nextAttemptNanos = now + backoffMs * 1_000_000;
        downReason = a.detail();
        if (!down) {
            down = true;
            downSinceNanos = now;
            lastDownLogNanos = now;
            triesWhileDown = 0;
            outages.increment();
            log.warn("prometheus remote write to {} failed ({}): holding the sink's offsets and trying again, every "
                    + "{} ms at most", client.url(), a.detail(), maxBackoffMs);
        } else if (now - lastDownLogNanos >= LOG_EVERY_MS * 1_000_000) {
            lastDownLogNanos = now;
            log.warn("prometheus remote write to {} still down after {} s and {} tries: {}", client.url(),
                    (now - downSinceNanos) / 1_000_000_000, triesWhileDown, a.detail());
        }
    }

    /** Up, or down with its backoff passed and an empty request answered (a refusal too: the flush counts it). */
    @Override
    public boolean ready() {
        if (!down) {
            return true;
        }
        if (System.nanoTime() < nextAttemptNanos) {
            return false;
        }
        triesWhileDown++;
        requests.increment();
        RemoteWriteClient.Answer a = client.post(probe);
        if (a.outcome() == RemoteWriteClient.Outcome.RETRY) {
            wentDown(a);
            return false;
        }
        log.info("prometheus remote write to {} answers again ({}) after {} s down and {} tries", client.url(),
                a.detail(), (System.nanoTime() - downSinceNanos) / 1_000_000_000, triesWhileDown);
        down = false;
        backoffMs = 0;
        downReason = null;
        return true;
    }

    @Override
    public long millisUntilRetry() {
        return down ? Math.max(0, (nextAttemptNanos - System.nanoTime()) / 1_000_000) : 0;
    }

    /** Samples the receiver answered 2xx for. */
    public long samplesStored() {
        return stored.sum();
    }

    /** Samples refused with a 4xx that will not succeed, skipped. */
    public long samplesRefused() {
        return refused.sum();
    }

    /** Requests sent, probes included. */
    public long requests() {
        return requests.sum();
    }

    /** Outages so far: a flush failed with an answer worth retrying, until a probe was answered. */
    public long outages() {
        return outages.sum();
    }

    /** For a status line: stored and refused samples, and why it is down when it is. */
    public String describe() {
        String reason = downReason;
        return String.format(Locale.ROOT, "prometheus %s, samples stored %d, refused %d",
                reason == null ? "up" : "DOWN (" + reason + ")", stored.sum(), refused.sum());
    }
}
