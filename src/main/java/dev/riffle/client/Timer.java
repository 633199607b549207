package dev.riffle.client;

/**
 * Times a piece of work: {@link #start()} fires a meter event (so the rate of starts is graphed), and closing
 * what it returns fires a timer event with the elapsed milliseconds (so its percentiles are graphed). Both
 * events carry the same service.
 *
 * <pre>
 * try (Timer.Sample t = searchTime.start()) {
 *     search(query);
 * }
 * </pre>
 */
public final class Timer extends Instrument {
    private static final Sample DISABLED = new Sample(null, 0L);
    private final Series starts;

    Timer(EventQueue queue, Series timings, Series starts) {
        super(queue, timings);
        this.starts = starts;
    }

    /** Starts timing; close the sample (try-with-resources) when the work is done. */
    public Sample start() {
        if (queue == null) {
            return DISABLED;
        }
        queue.offer(starts, 1.0);
        return new Sample(this, System.nanoTime());
    }

    /** One run of the work that took {@code millis} milliseconds, timed elsewhere: fires both events at once. */
    public void record(double millis) {
        if (queue != null) {
            queue.offer(starts, 1.0);
            queue.offer(series, millis);
        }
    }

    /** A running timing. Closing it more than once fires the timer event only the first time. */
    public static final class Sample implements AutoCloseable {
        private final Timer timer;
        private final long startNanos;
        private boolean stopped;

        private Sample(Timer timer, long startNanos) {
            this.timer = timer;
            this.startNanos = startNanos;
        }

        @Override
        public void close() {
            if (timer != null && !stopped) {
                stopped = true;
                timer.fire((System.nanoTime() - startNanos) / 1e6);
            }
        }
    }
}
