package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.Config;
import dev.riffle.config.HostPort;
import dev.riffle.core.Event;
import dev.riffle.ingest.IngestCounters;
import dev.riffle.ingest.RiemannDecoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void findsTheBridgeLikeTheOtherCommands() {
        Config config = Config.load(null, Map.of("RIFFLE_BIND", "0.0.0.0", "RIFFLE_RIEMANN_PORT", "6001"),
                Settings.ALL_KEYS);
        assertEquals(new HostPort("127.0.0.1", 6001), DemoCommand.bridgeAddress(config, null));
        config = Config.load(null, Map.of("RIFFLE_BIND", "::1"), Settings.ALL_KEYS);
        assertEquals(new HostPort("::1", 5555), DemoCommand.bridgeAddress(config, null));
    }

    /** A shell set up for an application's client can still run Riffle. */
    @Test
    void theJavaClientsSettingsAreNotRifflesOwn() {
        Config config = Config.load(null, Map.of("RIFFLE_CLIENT_BRIDGE", "127.0.0.1:5555",
                "RIFFLE_CLIENT_ENVIRONMENT", "staging", "RIFFLE_RIEMANN_PORT", "6002"), Settings.ALL_KEYS);
        assertEquals(new HostPort("127.0.0.1", 6002), DemoCommand.bridgeAddress(config, null));
    }

    @Test
    void hasHelp() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("demo", "--help"));
        assertTrue(out.toString().contains("Usage: riffle demo") && out.toString().contains("--duration=SECONDS"),
                out.toString());
    }

    @Test
    void durationMustBePositive() {
        StringWriter err = new StringWriter();
        assertEquals(Main.BAD_CONFIG, Main.execute(new PrintWriter(err, true), "demo", "--duration", "0"));
    }

    /** The command itself, for a second, at a UDP socket standing in for the bridge. */
    @Test
    void sendsRiemannEventsForTheGivenDurationThenEnds() throws Exception {
        try (DatagramSocket bridge = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            bridge.setReceiveBufferSize(4 * 1024 * 1024);
            bridge.setSoTimeout(100);
            long t0 = System.nanoTime();
            int rc = Main.execute("demo", "--duration", "1", "--seed", "7", "--to", "127.0.0.1:" + bridge.getLocalPort());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, rc);
            assertTrue(millis >= 900 && millis < 10_000, "ran " + millis + " ms");

            RiemannDecoder decoder = new RiemannDecoder(new IngestCounters());
            List<Event> events = new ArrayList<>();
            byte[] buf = new byte[65_536];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    bridge.receive(p);
                } catch (SocketTimeoutException drained) {
                    break;
                }
                events.addAll(decoder.decode(p.getData(), 0, p.getLength(), 0).events());
            }
            assertTrue(events.stream().anyMatch(e -> e.host().equals("web1") && e.service().equals("page-views")
                    && e.tags().equals(List.of("production", "meter"))), events.size() + " events");
            assertTrue(events.stream().anyMatch(e -> e.host().equals("db1") && e.service().equals("gauges.users")),
                    events.size() + " events");
        }
    }
}
