package dev.riffle.client;

import java.util.Objects;
import java.util.logging.Level;

/**
 * An application's connection to Riffle, and the maker of its five metric types. Create one per application
 * and keep the instruments it makes in fields:
 *
 * <pre>
 * Riffle metrics = Riffle.fromEnvironment();          // off unless RIFFLE_CLIENT_BRIDGE is set
 * Meter views = metrics.meter("page-views");
 * Timer searchTime = metrics.timer("search-time");
 * views.inc();
 * try (Timer.Sample t = searchTime.start()) {
 *     search(query);
 * }
 * </pre>
 *
 * <p>First, do no harm: no call on an instrument throws or blocks. Each one puts an event on a bounded queue (or,
 * when the client is disabled, does nothing); one daemon thread sends the queued events in batches over UDP (or
 * TCP). A full queue drops the event and counts it ({@link #dropped()}).
 */
public final class Riffle implements AutoCloseable {
    /** How events travel to the bridge. */
    public enum Protocol { UDP, TCP }

    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private static final long ABORT_WAIT_MILLIS = 500;
    private static final Riffle DISABLED = new Riffle(ClientSettings.disabled(), false);

    private final ClientSettings settings;
    private final ClientCounters counters = new ClientCounters();
    private final EventQueue queue;
    private final Transport transport;
    private final Sender sender;
    private final Thread thread;

    /** @param startSender false only for benchmarks that drain the queue themselves */
    Riffle(ClientSettings settings, boolean startSender) {
        this.settings = settings;
        if (!settings.enabled()) {
            queue = null;
            transport = null;
            sender = null;
            thread = null;
            return;
        }
        queue = new EventQueue(settings.queueCapacity(), counters);
        FailureLog failures = new FailureLog();
        transport = settings.protocol() == Protocol.TCP
                ? new TcpTransport(settings.bridgeHost(), settings.bridgePort(), counters, failures)
                : new UdpTransport(settings.bridgeHost(), settings.bridgePort(), counters, failures);
        sender = new Sender(queue, transport, counters, failures, settings.hostname(), settings.maxMessageBytes(),
                settings.flushMillis() * 1_000_000L);
        thread = new Thread(sender, "riffle-client-sender");
        thread.setDaemon(true);
        queue.consumer(thread);
        if (startSender) {
            thread.start();
        }
    }

    /**
     * The client configured by system properties {@code riffle.client.*} or environment variables
     * {@code RIFFLE_CLIENT_*} (see the README); disabled when they do not turn it on. Never throws: a bad setting
     * is logged once and gives a disabled client.
     */
    public static Riffle fromEnvironment() {
        try {
            return create(ClientSettings.read(System.getProperties(), System.getenv()));
        } catch (Throwable e) {
            FailureLog.LOG.log(Level.WARNING, "riffle client disabled: " + e.getMessage());
            return DISABLED;
        }
    }

    /** A client that sends nothing: every instrument it makes does nothing. */
    public static Riffle disabled() {
        return DISABLED;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Riffle create(ClientSettings settings) {
        return settings.enabled() ? new Riffle(settings, true) : DISABLED;
    }

    public Meter meter(String service) {
        return new Meter(queueFor(service), series(service, Kind.METER));
    }

    public Occurrence occurrence(String service) {
        return new Occurrence(queueFor(service), series(service, Kind.OCCURRENCE));
    }

    public Histogram histogram(String service) {
        return new Histogram(queueFor(service), series(service, Kind.HISTOGRAM));
    }

    /** A gauge whose events carry the service {@code gauges.<service>}. */
    public Gauge gauge(String service) {
        return new Gauge(queueFor(service), series(service == null ? null : "gauges." + service, Kind.GAUGE));
    }

    public Timer timer(String service) {
        return new Timer(queueFor(service), series(service, Kind.TIMER), series(service, Kind.METER));
    }

    /** Whether events are sent at all. */
    public boolean enabled() {
        return queue != null;
    }

    /** Events delivered: written to UDP, or over TCP answered ok by the bridge. */
    public long sent() {
        return counters.sent.sum();
    }

    /** Events not queued because the queue was full or the client closed. */
    public long dropped() {
        return counters.dropped.sum();
    }

    /** Events queued but not delivered: bridge unreachable, refused, or connection lost before its answer. */
    public long failed() {
        return counters.failed.sum();
    }

    /** Values not sent because they were not finite (NaN, infinity). */
    public long invalid() {
        return counters.invalid.sum();
    }

    /** Events waiting in the queue. */
    public int queued() {
        return queue == null ? 0 : queue.size();
    }

    /**
     * Sends what is queued and stops the sender thread, waiting two and a half seconds at most. Later events are
     * dropped.
     * Never throws.
     */
    @Override
    public void close() {
        if (queue == null) {
            return;
        }
        queue.close();
        sender.stop(thread);
        try {
            thread.join(CLOSE_WAIT_MILLIS);
            if (thread.isAlive()) {
                transport.abort(); // unblocks a sender stuck writing to a bridge that stopped reading
                thread.join(ABORT_WAIT_MILLIS); // and lets it count and report its losses before close returns
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            transport.abort();
        }
    }

    @Override
    public String toString() {
        return !enabled() ? "Riffle[disabled]" : "Riffle[" + settings.protocol() + " " + settings.bridgeHost() + ":"
                + settings.bridgePort() + ", sent " + sent() + ", dropped " + dropped() + ", failed " + failed() + "]";
    }

    EventQueue queue() {
        return queue;
    }

    private EventQueue queueFor(String service) {
        if (queue != null && (service == null || service.isBlank())) {
            FailureLog.LOG.warning("riffle client: an instrument without a service name sends nothing");
            return null;
        }
        return queue;
    }

    private Series series(String service, Kind kind) {
        return new Series(service, settings.environment(), kind);
    }

    /**
     * Configures a client in code. A builder's client is enabled unless {@link #enabled(boolean) enabled(false)};
     * a value that makes no sense throws IllegalArgumentException here, at configuration, never later.
     */
    public static final class Builder {
        private boolean enabled = true;
        private String host = ClientSettings.DEFAULT_HOST;
        private int port = ClientSettings.DEFAULT_PORT;
        private Protocol protocol = Protocol.UDP;
        private String environment;
        private String hostname;
        private int queueCapacity = ClientSettings.DEFAULT_QUEUE;
        private Integer maxMessageBytes;
        private long flushMillis = ClientSettings.DEFAULT_FLUSH_MILLIS;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** Where the bridge listens (default 127.0.0.1:5555). */
        public Builder bridge(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** The environment tag of every event: production, staging, dev... or null / "none" for no tag. */
        public Builder environment(String environment) {
            this.environment = ClientSettings.environment(environment);
            return this;
        }

        /** The host of every event (default: this machine's name, resolved once on the sender thread). */
        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** Events that may wait to be sent; more are dropped and counted (default 10000). */
        public Builder queueCapacity(int events) {
            this.queueCapacity = events;
            return this;
        }

        /** The largest message sent (default 1400 bytes over UDP, to stay in one unfragmented datagram; 16 KiB
         * over TCP). */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** How long events may wait before the sender wakes up to send them (default 20 ms). */
        public Builder flushMillis(long millis) {
            this.flushMillis = millis;
            return this;
        }

        public Riffle build() {
            ClientSettings settings = new ClientSettings(enabled, host, port, protocol, environment, hostname,
                    queueCapacity, maxMessageBytes != null ? maxMessageBytes
                    : ClientSettings.defaultMaxMessageBytes(protocol), flushMillis);
            return create(settings);
        }
    }
}
