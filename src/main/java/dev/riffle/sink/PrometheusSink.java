package dev.riffle.sink;

import dev.riffle.config.Config;
import dev.riffle.core.PointTarget;
import dev.riffle.core.Stage;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The Prometheus writer as a stage of its own: the sink's points consumer ({@link GraphiteSink}, with its pausing,
 * rewinding and commits) with {@link PrometheusTarget} as its only target, in a consumer group of its own
 * ({@code <sink.group_id>-prometheus}). So a Prometheus that is down, slow or refusing never holds back carbon, nor
 * carbon Prometheus: each backend has its own committed offsets and its own lag, and catches up by itself.
 */
public final class PrometheusSink implements Stage {
    private final GraphiteSink consumer;
    private final PrometheusTarget target;

    private PrometheusSink(Config config, String bootstrap, PrometheusTarget target) {
        this.target = target;
        Config own = config.with(SinkKeys.GRAPHITE, "none").with(SinkKeys.PRINT_POINTS, "false")
                .with(SinkKeys.SELF_METRICS, "false")
                .with(SinkKeys.GROUP_ID, config.get(SinkKeys.GROUP_ID) + "-prometheus");
        this.consumer = new GraphiteSink(own, bootstrap, new PrintStream(PrintStream.nullOutputStream()),
                List.of(target));
    }

    /** The stage when {@code prometheus.remote_write_url} is set, else none. */
    public static List<Stage> configured(Config config, String bootstrap) {
        List<PointTarget> targets = PrometheusTarget.configured(config);
        return targets.isEmpty() ? List.of()
                : List.of(new PrometheusSink(config, bootstrap, (PrometheusTarget) targets.get(0)));
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public void start() {
        consumer.start();
    }

    public boolean running() {
        return consumer.running();
    }

    public long pointsWritten() {
        return consumer.pointsWritten();
    }

    public long lag() {
        return consumer.lag();
    }

    /** See {@link GraphiteSink#lagEvery}: for tests that wait for the lag. */
    PrometheusSink lagEvery(java.time.Duration every) {
        consumer.lagEvery(every);
        return this;
    }

    PrometheusTarget target() {
        return target;
    }

    @Override
    public String status() {
        long lag = consumer.lag();
        return String.format(Locale.ROOT, "points written %d, skipped %d, lag %s, %s", consumer.pointsWritten(),
                consumer.pointsSkipped(), lag < 0 ? "?" : Long.toString(lag), target.describe())
                + (consumer.running() ? "" : ", STOPPED (see log)");
    }

    @Override
    public void close() {
        consumer.close();
    }
}
