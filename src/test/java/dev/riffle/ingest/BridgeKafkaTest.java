package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigKey;
import dev.riffle.core.Event;
import dev.riffle.kafka.Topics;
import dev.riffle.testing.WithKafka;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bridge against a real in-process broker, fed by clients nobody here wrote (Debian's riemann-c-client,
 * ruby-riemann-client and libnet-statsd-perl) and by hand-made streams; every check reads what landed in the
 * events topic.
 */
@Tag("slow")
class BridgeKafkaTest extends WithKafka {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicInteger topics = new AtomicInteger();

    Bridge bridge;
    EventsTopicReader topic;

    @AfterEach
    void stopBridge() {
        if (bridge != null) {
            bridge.close();
        }
        if (topic != null) {
            topic.close();
        }
    }

    static Config config(Map<ConfigKey<?>, Object> overrides) {
        List<ConfigKey<?>> keys = new ArrayList<>(CommonKeys.ALL);
        keys.addAll(IngestKeys.ALL);
        Config c = Config.defaults(keys)
                .with(CommonKeys.EVENTS_TOPIC, "events-" + topics.incrementAndGet())
                .with(CommonKeys.POINTS_TOPIC, "points-" + topics.get())
                .with(CommonKeys.EVENTS_PARTITIONS, 2)
                .with(IngestKeys.RIEMANN_PORT, 0)
                .with(IngestKeys.STATSD_PORT, 0)
                .with(IngestKeys.JSON_PORT, 0)
                .with(IngestKeys.SELF_METRICS_SECONDS, 0);
        for (Map.Entry<ConfigKey<?>, Object> o : overrides.entrySet()) {
            c = c.with(o.getKey(), o.getValue());
        }
        return c;
    }

    void start(Map<ConfigKey<?>, Object> overrides) throws Exception {
        Config config = config(overrides);
        Topics.ensure(kafka.bootstrapServers(), config, Duration.ofSeconds(30));
        bridge = new Bridge(config, kafka.bootstrapServers());
        bridge.start();
        topic = new EventsTopicReader(kafka.bootstrapServers(), config.get(CommonKeys.EVENTS_TOPIC));
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command));
    }

    static boolean onPath(String binary) {
        for (String d : System.getenv("PATH").split(File.pathSeparator)) {
            if (new File(d, binary).canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void riemannCClientOverUdpAndTcpArrivesExactly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("riemann-client"), "riemann-c-client is not installed");
        start(Map.of());
        String port = Integer.toString(bridge.riemannPort());
        long before = System.currentTimeMillis() * 1000L;
        run("riemann-client", "send", "-U", "-h", "box1", "-S", "api latency", "-s", "ok", "-D", "over udp",
                "-t", "production", "-t", "timer", "-a", "region=eu", "-a", "build=42", "-i", "42", "-L", "30",
                "127.0.0.1", port);
        // both a double and a float: the double wins, as in Riemann
        run("riemann-client", "send", "-T", "-h", "box2", "-S", "signups", "-s", "warning", "-D", "over tcp",
                "-t", "staging", "-t", "meter", "-d", "3.25", "-f", "1.5", "127.0.0.1", port);
        List<Event> events = topic.await(e -> e.size() >= 2, WAIT);
        long after = System.currentTimeMillis() * 1000L;

        List<Event> byHost = events.stream().sorted((a, b) -> a.host().compareTo(b.host())).toList();
        assertEquals(2, byHost.size(), byHost.toString());
        Event udp = byHost.get(0);
        Event tcp = byHost.get(1);
        // riemann-c-client sets no time: the bridge stamps its receive time
        for (Event e : byHost) {
            assertTrue(e.timeMicros() >= before && e.timeMicros() <= after, e.toString());
        }
        assertEquals(new Event(udp.timeMicros(), "box1", "api latency", "ok", "over udp",
                List.of("production", "timer"),
                Map.of("x-client", "riemann-c-client", "region", "eu", "build", "42"), 42.0, 30f), udp);
        assertEquals(new Event(tcp.timeMicros(), "box2", "signups", "warning", "over tcp", List.of("staging", "meter"),
                Map.of("x-client", "riemann-c-client"), 3.25, null), tcp);
        // key = host, timestamp = the event time, with the receive time; the bridge's ticks are among them
        int ticks = 0;
        for (var r : topic.records) {
            if (dev.riffle.core.EventCodec.decodeRecord(r.value()) instanceof dev.riffle.core.EventCodec.Batch b) {
                Event e = b.events().get(0);
                assertEquals(e.host(), r.key());
                assertEquals(e.timeMillis(), r.timestamp());
                assertTrue(b.receivedMicros() >= before && b.receivedMicros() <= after, b.toString());
            } else {
                ticks++;
            }
        }
        assertTrue(ticks > 0, "the bridge's ticks are in the topic");
    }

    @Test
    void perlNetStatsdArrivesExactly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("perl", "-MNet::Statsd", "-e", "1")
                .start().waitFor() == 0, "libnet-statsd-perl is not installed");
        start(Map.of(IngestKeys.STATSD_HOST, "web1", IngestKeys.STATSD_ENVIRONMENT, "production"));
        long before = System.currentTimeMillis() * 1000L;
        run("perl", "-MNet::Statsd", "-e", String.join("\n",
                "$Net::Statsd::HOST = '127.0.0.1';",
                "$Net::Statsd::PORT = " + bridge.statsdPort() + ";",
                "Net::Statsd::increment('site.logins');",
                "Net::Statsd::decrement('site.logins');",
                "Net::Statsd::update_stats('bytes', 250);",
                // sampled at 0.5: the client sends only sometimes; retry until it did, once
                "for (1 .. 200) { last if Net::Statsd::update_stats('sampled', 3, 0.5); }",
                "Net::Statsd::timing('db.query', 320);",
                // one datagram of two lines: set, then change by -5
                "Net::Statsd::gauge('core.temperature' => 55, 'core.temperature' => '-5');"));
        List<Event> events = topic.await(e -> e.size() >= 7, WAIT);
        long after = System.currentTimeMillis() * 1000L;
        assertEquals(7, events.size(), events.toString());
        for (Event e : events) {
            assertTrue(e.timeMicros() >= before && e.timeMicros() <= after, e.toString());
        }
        List<Event> expected = List.of(
                ev("site.logins", "meter", 1.0), ev("site.logins", "meter", -1.0), ev("bytes", "meter", 250.0),
                ev("sampled", "meter", 6.0), ev("db.query", "timer", 320.0), ev("core.temperature", "gauge", 55.0),
                ev("core.temperature", "gauge", 50.0));
        // the statsd host is spread over the partitions by service: the topic keeps the order of each service's
        // events (the same partition), not across services
        assertEquals(byService(expected), byService(events.stream().map(e -> new Event(0, e.host(), e.service(),
                e.state(), e.description(), e.tags(), e.attributes(), e.metric(), e.ttl())).toList()));
    }

    @Test
    void rubyRiemannClientOverUdpAndTcpArrivesExactlyAndItsQueryIsRefused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("ruby", "-rriemann/client", "-e", "1")
                .start().waitFor() == 0, "ruby-riemann-client is not installed");
        start(Map.of());
        long second = System.currentTimeMillis() / 1000 - 7;
        // Debian's ruby-riemann-client: `<<` goes over UDP, `tcp <<` waits for the ok reply and raises on an error
        // reply; extra keys become attributes; an integer metric is sent as sint64 and float, a float as double and
        // float. A query must come back as a ServerError with Riemann's wording, not a hang or a dropped connection.
        run("ruby", "-rriemann/client", "-e", String.join("\n",
                "c = Riemann::Client.new(host: '127.0.0.1', port: " + bridge.riemannPort() + ", timeout: 5)",
                "c << {host: 'web1', service: 'search time', state: 'ok', description: 'over udp',",
                "      tags: ['production', 'timer'], metric: 12.5, ttl: 30, time: " + second + ", region: 'eu'}",
                "c.tcp << {host: 'web2', service: 'signups', tags: ['staging', 'meter'], metric: 3, time: " + second
                        + "}",
                "begin",
                "  c['true']",
                "  abort 'the query was answered'",
                "rescue Riemann::Client::ServerError => e",
                "  abort \"query refused with '#{e.message}'\" unless e.message == 'queries are not supported'",
                "end",
                "c.close"));
        List<Event> events = topic.await(e -> e.size() >= 2, WAIT);
        assertEquals(2, events.size(), events.toString());
        List<Event> byHost = events.stream().sorted((a, b) -> a.host().compareTo(b.host())).toList();
        assertEquals(new Event(second * 1_000_000, "web1", "search time", "ok", "over udp",
                List.of("production", "timer"), Map.of("region", "eu"), 12.5, 30f), byHost.get(0));
        assertEquals(new Event(second * 1_000_000, "web2", "signups", null, null, List.of("staging", "meter"),
                Map.of(), 3.0, null), byHost.get(1));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.QUERY));
    }

    static Event ev(String service, String kind, double metric) {
        return new Event(0, "web1", service, null, null, List.of(kind, "production"), Map.of(), metric, null);
    }

    @Test
    void jsonLinesArriveAndBadLinesAreCountedWhileTheConnectionGoesOn() throws Exception {
        start(Map.of(IngestKeys.JSON_MAX_LINE, 256));
        long second = System.currentTimeMillis() / 1000 - 10;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.jsonPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("{\"host\":\"box1\",\"service\":\"a\",\"metric\":1.5,\"time\":" + second
                    + ".25,\"tags\":[\"meter\"]}\n"
                    + "not json\n"
                    + "{\"host\":\"box1\",\"service\":\"" + "x".repeat(400) + "\"}\n"
                    + "{\"host\":\"box1\",\"service\":\"b\",\"time_micros\":" + second + "123456,"
                    + "\"attributes\":{\"k\":\"v\"},\"ttl\":20,\"state\":\"ok\",\"description\":\"d\"}\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50); // a line split over two TCP segments
            out.write("{\"host\":\"box1\",\"servi".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50);
            out.write("ce\":\"c\"}".getBytes(StandardCharsets.UTF_8)); // last line, no line end
            s.shutdownOutput();
            assertEquals(-1, s.getInputStream().read()); // nothing is ever replied
        }
        List<Event> events = topic.await(e -> e.size() >= 3, WAIT);
        assertEquals(List.of("a", "b", "c"), events.stream().map(Event::service).toList());
        assertEquals(new Event(second * 1_000_000 + 250_000, "box1", "a", null, null, List.of("meter"), Map.of(),
                1.5, null), events.get(0));
        assertEquals(new Event(second * 1_000_000 + 123_456, "box1", "b", "ok", "d", List.of(), Map.of("k", "v"),
                null, 20f), events.get(1));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.MALFORMED_LINE));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.OVERSIZED_LINE));
    }

    static void writeFrame(DataOutputStream out, byte[] msg) throws IOException {
        out.writeInt(msg.length);
        out.write(msg);
    }

    static String readReply(DataInputStream in) throws IOException {
        return RiemannMessage.replyError(in.readNBytes(in.readInt()));
    }

    @Test
    void aPipeliningClientGetsEveryReplyInOrderAndEveryEventLands() throws Exception {
        start(Map.of());
        int n = 1_000;
        long t0 = (System.currentTimeMillis() - 60_000) * 1000L;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
            for (int i = 0; i < n; i++) {
                writeFrame(out, new RiemannMessage().event(t0 + i, "box1", "seq", null, null, (double) i, null,
                        Map.of(), "meter").toBytes());
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < n; i++) {
                assertNull(readReply(in), "reply " + i);
            }
        }
        List<Event> events = topic.await(e -> e.size() >= n, WAIT);
        assertEquals(n, events.size());
        for (int i = 0; i < n; i++) {
            assertEquals((double) i, events.get(i).metric());
            assertEquals(t0 + i, events.get(i).timeMicros());
        }
    }

    @Test
    void queriesAreRefusedAndTheConnectionGoesOnUntilAnOversizedFrame() throws Exception {
        start(Map.of());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            // Msg{query = Query{string = "service = \"x\""}}
            byte[] q = "service = \"x\"".getBytes(StandardCharsets.UTF_8);
            byte[] query = new byte[q.length + 4];
            query[0] = (5 << 3) | 2;
            query[1] = (byte) (q.length + 2);
            query[2] = (1 << 3) | 2;
            query[3] = (byte) q.length;
            System.arraycopy(q, 0, query, 4, q.length);
            writeFrame(out, query);
            assertEquals("queries are not supported", readReply(in));
            writeFrame(out, new byte[] {(byte) 0xFF, (byte) 0xFF}); // not a Msg
            assertTrue(readReply(in).startsWith("malformed message"));
            writeFrame(out, new RiemannMessage().event(System.currentTimeMillis() * 1000L, "box1", "after", null,
                    null, 1.0, null, Map.of()).toBytes());
            assertNull(readReply(in));
            out.writeInt(1 << 30); // a 1 GiB frame: refused before a byte of it is read
            out.flush();
            assertTrue(readReply(in).contains("over the limit"));
            assertEquals(-1, in.read()); // then the bridge hangs up
        }
        assertEquals(List.of("after"), topic.await(e -> !e.isEmpty(), WAIT).stream().map(Event::service).toList());
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.QUERY));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.MALFORMED_MESSAGE));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.OVERSIZED_MESSAGE));
    }

    @Test
    void halfClosedClientStillGetsItsRepliesAndATruncatedFrameIsCounted() throws Exception {
        start(Map.of());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            for (int i = 0; i < 3; i++) {
                writeFrame(out, new RiemannMessage().event(System.currentTimeMillis() * 1000L, "box1", "s" + i, null,
                        null, 1.0, null, Map.of()).toBytes());
            }
            out.writeInt(100);
            out.write(new byte[10]); // a frame that never ends
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < 3; i++) {
                assertNull(readReply(in));
            }
            assertEquals(-1, in.read());
        }
        assertEquals(3, topic.await(e -> e.size() >= 3, WAIT).size());
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.TRUNCATED_FRAME));
    }

    @Test
    void absurdTimesAreClampedAndSelfMetricsReachTheTopic() throws Exception {
        start(Map.of(IngestKeys.SELF_METRICS_SECONDS, 1));
        long now = System.currentTimeMillis() * 1000L;
        byte[] msg = new RiemannMessage()
                .event(now + TimeUnit.DAYS.toMicros(3650), "box1", "future", null, null, 1.0, null, Map.of())
                .event(now - TimeUnit.DAYS.toMicros(3650), "box1", "past", null, null, 1.0, null, Map.of())
                .event(now - 5_000_000, "box1", "recent", null, null, 1.0, null, Map.of())
                .toBytes();
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            udp.send(new java.net.DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(),
                    bridge.riemannPort()));
            byte[] bad = "no type here\n".getBytes(StandardCharsets.UTF_8);
            udp.send(new java.net.DatagramPacket(bad, bad.length, InetAddress.getLoopbackAddress(),
                    bridge.statsdPort()));
        }
        topic.await(e -> e.stream().anyMatch(x -> x.service().equals("bridge refused malformed-line")
                && x.metric() > 0), WAIT);
        List<Event> app = topic.appEvents();
        long after = System.currentTimeMillis() * 1000L;
        assertEquals(3, app.size());
        for (Event e : app.subList(0, 2)) {
            assertTrue(e.timeMicros() >= now && e.timeMicros() <= after, e.toString());
        }
        assertEquals(now - 5_000_000, app.get(2).timeMicros());
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.TIME_IN_FUTURE));
        assertEquals(1, bridge.counters().count(IngestCounters.Reason.TIME_TOO_OLD));

        List<Event> self = topic.events.stream().filter(e -> e.host().equals("riffle")).toList();
        Event refused = self.stream().filter(e -> e.service().equals("bridge refused malformed-line")
                && e.metric() > 0).findFirst().orElseThrow();
        assertEquals(List.of("meter"), refused.tags());
        assertEquals(1.0, refused.metric());
        double received = self.stream().filter(e -> e.service().equals("bridge events-received"))
                .mapToDouble(Event::metric).sum();
        assertEquals(3.0, received); // increases, not totals: they add up to the total
        assertTrue(self.stream().anyMatch(e -> e.service().equals("bridge clamped time-in-future")));
        // the self-metric events are the bridge's own, not input: "to kafka" counts the 3 input events only
        assertEquals(3, bridge.counters().received());
        assertEquals(3, bridge.counters().published(), bridge.status());
    }

    @Test
    void aSlowClientHoldsUpNobodyElse() throws Exception {
        start(Map.of());
        byte[] slowMsg = new RiemannMessage().event(System.currentTimeMillis() * 1000L, "slow", "s", null, null, 1.0,
                null, Map.of()).toBytes();
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort());
             Socket fast = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort())) {
            fast.setSoTimeout(5_000);
            slow.setSoTimeout(5_000);
            DataOutputStream slowOut = new DataOutputStream(slow.getOutputStream());
            slowOut.writeInt(slowMsg.length);
            slowOut.write(slowMsg, 0, 3); // the rest of the frame comes much later
            slowOut.flush();

            DataOutputStream fastOut = new DataOutputStream(fast.getOutputStream());
            writeFrame(fastOut, new RiemannMessage().event(System.currentTimeMillis() * 1000L, "fast", "s", null,
                    null, 1.0, null, Map.of()).toBytes());
            assertNull(readReply(new DataInputStream(fast.getInputStream())));

            for (int i = 3; i < slowMsg.length; i++) {
                slowOut.write(slowMsg[i]);
                slowOut.flush();
                Thread.sleep(2);
            }
            assertNull(readReply(new DataInputStream(slow.getInputStream())));
        }
        assertEquals(List.of("fast", "slow"), topic.await(e -> e.size() >= 2, WAIT).stream().map(Event::host)
                .sorted().toList());
    }

    /** Reads until the bridge ends the connection; true when it did so within the time. */
    static boolean closedByBridge(Socket s, int withinMillis) throws IOException {
        s.setSoTimeout(withinMillis);
        try {
            while (s.getInputStream().read() >= 0) {
                // replies owed before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheTimeoutButNotBeforeTheirReplies() throws Exception {
        start(Map.of(IngestKeys.TCP_IDLE_TIMEOUT_MS, 600));
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort());
             Socket answered = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort());
             Socket json = new Socket(InetAddress.getLoopbackAddress(), bridge.jsonPort())) {
            DataOutputStream out = new DataOutputStream(answered.getOutputStream());
            writeFrame(out, new RiemannMessage().event(System.currentTimeMillis() * 1000L, "box1", "idle", null, null,
                    1.0, null, Map.of(), "meter").toBytes());
            answered.setSoTimeout(5_000);
            assertNull(readReply(new DataInputStream(answered.getInputStream())));
            // each is closed about 600 ms after its last byte, not sooner
            assertFalse(closedByBridge(silent, 200), "closed before the idle timeout");
            assertTrue(closedByBridge(silent, 3_000));
            assertTrue(closedByBridge(answered, 3_000));
            assertTrue(closedByBridge(json, 3_000));
        }
        assertTrue(awaitCount(IngestCounters.Reason.IDLE_TIMEOUT, 3), bridge.status());
        assertEquals(1, topic.await(e -> e.size() >= 1, WAIT).size());
    }

    @Test
    void aFrameOrLineTrickledInIsClosedAsTooSlowWhileFastClientsGoOn() throws Exception {
        start(Map.of(IngestKeys.TCP_MIN_BYTES_PER_SECOND, 1024));
        Thread.sleep(200); // the UDP listeners' first receive chunks are charged once their threads run
        long idle = bridge.memoryHeld();
        try (Socket trickle = new Socket(InetAddress.getLoopbackAddress(), bridge.riemannPort());
             Socket line = new Socket(InetAddress.getLoopbackAddress(), bridge.jsonPort())) {
            DataOutputStream out = new DataOutputStream(trickle.getOutputStream());
            out.writeInt(4 * 1024 * 1024); // announces 4 MiB, then a byte every 200 ms
            line.getOutputStream().write("{\"host\":\"box1\",".getBytes(StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    out.write(1);
                    out.flush();
                    line.getOutputStream().write(' ');
                } catch (IOException gone) {
                    closed = true;
                }
                Thread.sleep(200);
                closed = closed || bridge.counters().count(IngestCounters.Reason.TOO_SLOW) == 2;
            }
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(awaitCount(IngestCounters.Reason.TOO_SLOW, 2), bridge.status());
            // allowed 2 s, then 1 KiB/s: a byte each 200 ms falls behind at once
            assertTrue(tookMs >= TcpConnection.GRACE_MILLIS && tookMs < 5_000, "closed after " + tookMs + " ms");
            assertTrue(closedByBridge(trickle, 3_000));
            assertTrue(closedByBridge(line, 3_000));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (bridge.memoryHeld() > idle && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(idle, bridge.memoryHeld(), "memory still held after the close: " + bridge.status());
        }
    }

    private boolean awaitCount(IngestCounters.Reason reason, long n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (bridge.counters().count(reason) < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return bridge.counters().count(reason) == n;
    }

    @Test
    void aJsonClientThatHalfClosesIsClosedOnlyOnceKafkaHasEveryEvent() throws Exception {
        start(Map.of());
        int n = 2_000;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), bridge.jsonPort())) {
            java.io.OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream());
            for (int i = 0; i < n; i++) {
                out.write(("{\"host\":\"box" + (i % 3) + "\",\"service\":\"json ack\",\"metric\":" + i
                        + ",\"tags\":[\"meter\"]}\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            s.shutdownOutput();
            s.setSoTimeout(30_000);
            assertEquals(-1, s.getInputStream().read(), "an orderly close (FIN), not a reset");
            // the close came after Kafka's acknowledgement: every event is counted as published already
            assertEquals(n, bridge.counters().published(), bridge.status());
        }
        assertEquals(n, topic.await(e -> e.size() >= n, WAIT).size());
    }

    /** Events grouped by service, each service's in their order. */
    private static java.util.Map<String, List<Event>> byService(List<Event> events) {
        return events.stream().collect(java.util.stream.Collectors.groupingBy(Event::service,
                java.util.TreeMap::new, java.util.stream.Collectors.toList()));
    }
}
