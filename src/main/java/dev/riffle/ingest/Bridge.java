package dev.riffle.ingest;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import java.net.InetSocketAddress;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest stage's entry point: listens for the protocols applications already speak and publishes every
 * decoded event to the events topic.
 */
public final class Bridge implements Stage {
    private static final Logger log = LoggerFactory.getLogger(Bridge.class);

    private final Config config;
    private final String bootstrap;
    private final IngestCounters counters = new IngestCounters();
    private EventPublisher publisher;
    private RiemannUdpServer riemannUdp;
    private RiemannTcpServer riemannTcp;

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
        publisher = new EventPublisher(bootstrap, config.get(CommonKeys.EVENTS_TOPIC), counters, Map.of());
        RiemannDecoder decoder = new RiemannDecoder(counters);
        String bind = config.get(CommonKeys.BIND);
        int riemannPort = config.get(IngestKeys.RIEMANN_PORT);
        riemannTcp = new RiemannTcpServer(new InetSocketAddress(bind, riemannPort),
                config.get(IngestKeys.TCP_MAX_FRAME), config.get(IngestKeys.TCP_MAX_CONNECTIONS), decoder, publisher,
                counters);
        // with port 0 the TCP port is chosen first and UDP takes the same number, as Riemann clients expect
        riemannUdp = new RiemannUdpServer(new InetSocketAddress(bind, riemannTcp.port()),
                config.get(IngestKeys.UDP_MAX_BYTES), config.get(IngestKeys.UDP_RECEIVE_BUFFER), decoder, publisher,
                counters);
        riemannTcp.start();
        riemannUdp.start();
        log.info("bridge listening: Riemann protobuf on {}:{} (UDP and TCP)", bind, riemannTcp.port());
    }

    /** The Riemann port actually bound (useful when configured as 0). */
    public int riemannPort() {
        return riemannTcp.port();
    }

    public IngestCounters counters() {
        return counters;
    }

    @Override
    public String status() {
        return "events in " + counters.received() + ", to kafka " + counters.published()
                + ", refused " + counters.rejectedTotal();
    }

    @Override
    public void close() {
        if (riemannUdp != null) {
            riemannUdp.close();
        }
        if (riemannTcp != null) {
            riemannTcp.close();
        }
        if (publisher != null) {
            publisher.close(); // flushes what the producer still holds
        }
    }
}
