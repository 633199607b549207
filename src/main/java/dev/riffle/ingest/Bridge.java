package dev.riffle.ingest;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.config.KafkaClients;
import dev.riffle.core.Stage;
import dev.riffle.core.StartupException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest stage's entry point: listens for the protocols applications already speak and publishes every
 * decoded event to the events topic.
 *
 * <p>Each protocol is a decoder plus one line in {@link #start()}: datagram protocols run in a
 * {@link UdpListener}, stream protocols in a {@link TcpListener}, line protocols in either through
 * {@link DatagramLines} or {@link LineStream}. All of them hand events to one {@link Intake}.
 */
public final class Bridge implements Stage {
    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    private static final int GATHER_MAX_EVENTS = 10_000;
    /** What the kernel charges a small datagram against a socket's receive buffer, roughly (bytes). */
    private static final int ROUGH_DATAGRAM_COST = 1024;

    private final Config config;
    private final String bootstrap;
    private final IngestCounters counters = new IngestCounters();
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private final ArrivalClock clock = new ArrivalClock();
    private Watermarks watermarks;
    private String bridgeId;
    private EventPublisher publisher;
    private MemoryBudget budget;
    private Intake intake;
    private ScheduledExecutorService selfMetrics;
    private int riemannPort;
    private int statsdPort;
    private int jsonPort;

    public Bridge(Config config, String bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
    }

    @Override
    public String name() {
        return "bridge";
    }

    @Override
    public void start() throws Exception {
        try {
            open();
        } catch (IOException | RuntimeException e) {
            close(); // a port in use must not leave the other listeners or the producer behind
            throw e;
        }
        log.info("bridge {} listening on {}: Riemann protobuf UDP+TCP {}, statsd UDP {}, JSON lines TCP {}",
                bridgeId, config.get(CommonKeys.BIND), riemannPort, statsdPort, jsonPort);
    }

    private void open() throws IOException {
        budget = new MemoryBudget(config.get(IngestKeys.MEMORY_BYTES));
        String statsdHost = statsdHost();
        // statsd lines without a host: tag all have one host: spread it, and the hot hosts listed, by service
        Set<String> spread = new HashSet<>(config.get(IngestKeys.SPREAD_HOSTS));
        spread.add(statsdHost);
        publisher = new EventPublisher(bootstrap, config.get(CommonKeys.EVENTS_TOPIC), budget, counters,
                KafkaClients.forClient(config, ProducerConfig.configNames()), spread);
        intake = new Intake(publisher, counters, TimeUnit.SECONDS.toMicros(config.get(IngestKeys.MAX_FUTURE_SECONDS)),
                TimeUnit.HOURS.toMicros(config.get(CommonKeys.EVENTS_RETENTION_HOURS)));
        RiemannDecoder riemann = new RiemannDecoder(counters);
        StatsdDecoder statsd = new StatsdDecoder(statsdHost, config.get(IngestKeys.STATSD_ENVIRONMENT),
                config.get(IngestKeys.STATSD_MAX_GAUGES));

        // with port 0 the TCP port is chosen first and UDP takes the same number, as Riemann clients expect
        riemannPort = tcp("riemann", IngestKeys.RIEMANN_PORT, config.get(IngestKeys.RIEMANN_PORT),
                new RiemannFraming(riemann, config.get(IngestKeys.TCP_MAX_FRAME), intake, counters, budget));
        udp("riemann", IngestKeys.RIEMANN_PORT, riemannPort, riemann);
        statsdPort = udp("statsd", IngestKeys.STATSD_PORT, config.get(IngestKeys.STATSD_PORT),
                new DatagramLines(statsd, counters));
        warnIfReceiveBufferShort(config.get(IngestKeys.UDP_RECEIVE_BUFFER));
        jsonPort = tcp("json", IngestKeys.JSON_PORT, config.get(IngestKeys.JSON_PORT),
                new LineStream(new JsonLineDecoder(), config.get(IngestKeys.JSON_MAX_LINE), intake, counters, budget));
        long connections = (long) config.get(IngestKeys.TCP_MAX_CONNECTIONS)
                * (RiemannFraming.BUFFER * (1 + RiemannFraming.DECODE_FACTOR) + 2L * LineStream.BUFFER);
        if (connections > budget.limit() / 2) {
            log.warn("{} connections per TCP port can take {} bytes of buffers, over half of {} ({}): raise it or "
                    + "lower {}", config.get(IngestKeys.TCP_MAX_CONNECTIONS), connections,
                    IngestKeys.MEMORY_BYTES.name(), budget.limit(), IngestKeys.TCP_MAX_CONNECTIONS.name());
        }

        String id = config.get(IngestKeys.BRIDGE_ID);
        bridgeId = id.isBlank() ? localHostName() + ":" + riemannPort : id;
        EventPublisher ticksTo = publisher;
        watermarks = new Watermarks(clock, (micros, bye) -> ticksTo.tick(bridgeId, micros, bye),
                config.get(CommonKeys.WINDOW_SECONDS) * 1000L, config.get(CommonKeys.GRACE_MS));
        watermarks.start();

        int every = config.get(IngestKeys.SELF_METRICS_SECONDS);
        if (every > 0) {
            selfMetrics = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "riffle-bridge-self-metrics");
                t.setDaemon(true);
                return t;
            });
            selfMetrics.scheduleAtFixedRate(new SelfMetrics(counters, publisher, clock.lane(),
                    config.get(CommonKeys.SELF_HOST)), every, every, TimeUnit.SECONDS);
        }
    }

    private int udp(String protocol, ConfigKey<Integer> key, int port, DatagramDecoder decoder) throws IOException {
        UdpListener l;
        try {
            l = new UdpListener(protocol, address(port), config.get(IngestKeys.UDP_MAX_BYTES),
                    config.get(IngestKeys.UDP_RECEIVE_BUFFER), decoder, new Gatherer(intake,
                    TimeUnit.MILLISECONDS.toNanos(config.get(IngestKeys.UDP_GATHER_MS)), GATHER_MAX_EVENTS), counters,
                    clock, budget);
        } catch (BindException e) {
            throw inUse(config, protocol + " UDP", key, port);
        }
        listeners.add(l);
        l.start();
        return l.port();
    }

    /**
     * Once, at start: when the OS granted the UDP sockets less receive buffer than asked, the exact commands that
     * let it grant it (Linux caps SO_RCVBUF at net.core.rmem_max, 4 MiB or less on many distributions).
     */
    private void warnIfReceiveBufferShort(int asked) {
        int granted = Integer.MAX_VALUE;
        for (AutoCloseable l : listeners) {
            if (l instanceof UdpListener u) {
                granted = Math.min(granted, u.grantedReceiveBuffer());
            }
        }
        if (granted < asked) {
            log.warn("UDP receive buffers: asked for {} bytes ({}), the OS granted {}: a burst the bridge cannot read "
                    + "at once is dropped by the kernel after about {} small datagrams. To grant it, as root: "
                    + "sysctl -w net.core.rmem_max={}; to keep it after a reboot: echo 'net.core.rmem_max = {}' > "
                    + "/etc/sysctl.d/60-riffle.conf", asked, IngestKeys.UDP_RECEIVE_BUFFER.name(), granted,
                    granted / ROUGH_DATAGRAM_COST, asked, asked);
        }
    }

    private int tcp(String protocol, ConfigKey<Integer> key, int port, StreamHandler handler) throws IOException {
        TcpListener l;
        try {
            l = new TcpListener(protocol, address(port), config.get(IngestKeys.TCP_MAX_CONNECTIONS), handler, budget,
                    counters, config.get(IngestKeys.TCP_IDLE_TIMEOUT_MS),
                    config.get(IngestKeys.TCP_MIN_BYTES_PER_SECOND), clock);
        } catch (BindException e) {
            throw inUse(config, protocol + " TCP", key, port);
        }
        listeners.add(l);
        l.start();
        return l.port();
    }

    /**
     * Fails with a {@link StartupException} if a configured ingest port is taken, so that {@code riffle run} says
     * so before it starts a broker (the bridge is its last stage). Binds each port for a moment.
     */
    public static void checkPortsFree(Config config) {
        checkFree(config, "riemann TCP", IngestKeys.RIEMANN_PORT, true);
        checkFree(config, "riemann UDP", IngestKeys.RIEMANN_PORT, false);
        checkFree(config, "statsd UDP", IngestKeys.STATSD_PORT, false);
        checkFree(config, "json TCP", IngestKeys.JSON_PORT, true);
    }

    private static void checkFree(Config config, String what, ConfigKey<Integer> key, boolean tcp) {
        int port = config.get(key);
        if (port == 0) {
            return;
        }
        InetSocketAddress address = new InetSocketAddress(config.get(CommonKeys.BIND), port);
        try {
            if (tcp) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true); // as the listener binds: a port in TIME_WAIT is free
                    s.bind(address);
                }
            } else {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.bind(address);
                }
            }
        } catch (IOException e) {
            throw inUse(config, what, key, port);
        }
    }

    private static StartupException inUse(Config config, String what, ConfigKey<Integer> key, int port) {
        return new StartupException(what + " port " + port + " on " + config.get(CommonKeys.BIND)
                + " is in use (another Riemann, statsd or Riffle?); free it or set " + key.name() + " ("
                + key.envName() + ")");
    }

    private InetSocketAddress address(int port) {
        return new InetSocketAddress(config.get(CommonKeys.BIND), port);
    }

    private String statsdHost() {
        String host = config.get(IngestKeys.STATSD_HOST);
        return host.isBlank() ? localHostName() : host;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            log.warn("cannot tell this machine's host name ({}); using 'localhost'", e.toString());
            return "localhost";
        }
    }

    /** The Riemann port actually bound (useful when configured as 0). */
    public int riemannPort() {
        return riemannPort;
    }

    /** The statsd port actually bound. */
    public int statsdPort() {
        return statsdPort;
    }

    /** The JSON lines port actually bound. */
    public int jsonPort() {
        return jsonPort;
    }

    public IngestCounters counters() {
        return counters;
    }

    /** Bytes held from the memory budget now (connections, frames in progress, events Kafka has not acknowledged). */
    public long memoryHeld() {
        return budget == null ? 0 : budget.used();
    }

    /** The most ever held from the memory budget at once. */
    public long memoryPeak() {
        return budget == null ? 0 : budget.peak();
    }

    /** TCP connections being served now, both ports. */
    public int openConnections() {
        int n = 0;
        for (AutoCloseable l : listeners) {
            if (l instanceof TcpListener t) {
                n += t.openConnections();
            }
        }
        return n;
    }

    /** This bridge's name in its ticks. */
    public String bridgeId() {
        return bridgeId;
    }

    @Override
    public String status() {
        EventPublisher publisher = this.publisher;
        return "events in " + counters.received() + ", to kafka " + counters.published()
                + ", refused " + counters.total(IngestCounters.Group.REFUSED)
                + ", dropped " + counters.total(IngestCounters.Group.DROPPED)
                + ", clamped " + counters.total(IngestCounters.Group.CLAMPED)
                + ", connections " + openConnections() + " (closed " + counters.total(IngestCounters.Group.CLOSED)
                + "), memory " + memoryHeld() / 1024 + " KiB of " + (budget == null ? 0 : budget.limit() / 1024)
                + " (unacked " + (publisher == null ? 0 : publisher.unackedBytes() / 1024) + ")"
                + ", watermark lag " + watermarkLag();
    }

    /** How far the watermark is behind this machine's clock: a listener holding input back, or a stall. */
    private String watermarkLag() {
        long w = watermarks == null ? Long.MIN_VALUE : watermarks.current();
        return w == Long.MIN_VALUE ? "none" : Math.max(0, System.currentTimeMillis() - w / 1000) + " ms";
    }

    @Override
    public void close() {
        if (selfMetrics != null) {
            selfMetrics.shutdownNow();
        }
        for (AutoCloseable l : listeners) {
            try {
                l.close();
            } catch (Exception e) {
                log.warn("closing a listener failed: {}", e.toString());
            }
        }
        listeners.clear();
        if (watermarks != null) {
            try {
                watermarks.close(); // the goodbye, after every event the listeners handed over
            } catch (RuntimeException e) {
                log.warn("the bridge's goodbye tick failed: {}", e.toString());
            }
            watermarks = null;
        }
        if (budget != null) {
            budget.close();
        }
        if (publisher != null) {
            publisher.close(); // flushes what the producer still holds
            publisher = null;
        }
    }
}
