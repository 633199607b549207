package dev.riffle.ingest;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

    private final Config config;
    private final String bootstrap;
    private final IngestCounters counters = new IngestCounters();
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private EventPublisher publisher;
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
        publisher = new EventPublisher(bootstrap, config.get(CommonKeys.EVENTS_TOPIC),
                config.get(IngestKeys.BACKLOG_BYTES), counters, Map.of());
        intake = new Intake(publisher, counters, TimeUnit.SECONDS.toMicros(config.get(IngestKeys.MAX_FUTURE_SECONDS)),
                TimeUnit.HOURS.toMicros(config.get(CommonKeys.EVENTS_RETENTION_HOURS)));
        RiemannDecoder riemann = new RiemannDecoder(counters);
        StatsdDecoder statsd = new StatsdDecoder(statsdHost(), config.get(IngestKeys.STATSD_ENVIRONMENT),
                config.get(IngestKeys.STATSD_MAX_GAUGES));

        // with port 0 the TCP port is chosen first and UDP takes the same number, as Riemann clients expect
        riemannPort = tcp("riemann", config.get(IngestKeys.RIEMANN_PORT),
                new RiemannFraming(riemann, config.get(IngestKeys.TCP_MAX_FRAME), intake, counters));
        udp("riemann", riemannPort, riemann);
        statsdPort = udp("statsd", config.get(IngestKeys.STATSD_PORT), new DatagramLines(statsd, counters));
        jsonPort = tcp("json", config.get(IngestKeys.JSON_PORT),
                new LineStream(new JsonLineDecoder(), config.get(IngestKeys.JSON_MAX_LINE), intake, counters));

        int every = config.get(IngestKeys.SELF_METRICS_SECONDS);
        if (every > 0) {
            selfMetrics = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "riffle-bridge-self-metrics");
                t.setDaemon(true);
                return t;
            });
            selfMetrics.scheduleAtFixedRate(new SelfMetrics(counters, publisher), every, every, TimeUnit.SECONDS);
        }
        log.info("bridge listening on {}: Riemann protobuf UDP+TCP {}, statsd UDP {}, JSON lines TCP {}",
                config.get(CommonKeys.BIND), riemannPort, statsdPort, jsonPort);
    }

    private int udp(String protocol, int port, DatagramDecoder decoder) throws IOException {
        UdpListener l = new UdpListener(protocol, address(port), config.get(IngestKeys.UDP_MAX_BYTES),
                config.get(IngestKeys.UDP_RECEIVE_BUFFER), decoder, new Gatherer(intake,
                TimeUnit.MILLISECONDS.toNanos(config.get(IngestKeys.UDP_GATHER_MS)), GATHER_MAX_EVENTS), counters);
        listeners.add(l);
        l.start();
        return l.port();
    }

    private int tcp(String protocol, int port, StreamHandler handler) throws IOException {
        TcpListener l = new TcpListener(protocol, address(port), config.get(IngestKeys.TCP_MAX_CONNECTIONS), handler);
        listeners.add(l);
        l.start();
        return l.port();
    }

    private InetSocketAddress address(int port) {
        return new InetSocketAddress(config.get(CommonKeys.BIND), port);
    }

    private String statsdHost() {
        String host = config.get(IngestKeys.STATSD_HOST);
        if (!host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            log.warn("cannot tell this machine's host name ({}); statsd events get host 'localhost'", e.toString());
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

    @Override
    public String status() {
        return "events in " + counters.received() + ", to kafka " + counters.published()
                + ", refused " + counters.total(IngestCounters.Group.REFUSED)
                + ", dropped " + counters.total(IngestCounters.Group.DROPPED)
                + ", clamped " + counters.total(IngestCounters.Group.CLAMPED)
                + ", backlog " + (publisher == null ? 0 : publisher.backlogBytes() / 1024) + " KiB";
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
        if (publisher != null) {
            publisher.close(); // flushes what the producer still holds
        }
    }
}
