package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.riffle.client.RiemannMessage;
import dev.riffle.core.Event;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated input, fixed seed, bounded iterations: nothing may escape a decoder or a stream handler
 * except what its contract allows (a counted {@link MalformedInputException}, or an IOException ending a
 * connection).
 */
class DecoderFuzzTest {
    static final int ROUNDS = 5_000;
    final Random random = new Random(20261125L);
    final IngestCounters counters = new IngestCounters();
    final Intake intake = new Intake(new EventPublisher(new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer()), "events", new MemoryBudget(1 << 20), counters), counters, 3_600_000_000L, 3_600_000_000L);

    final List<byte[]> riemannSeeds = List.of(
            new RiemannMessage().event(1_700_000_000_000_000L, "box1", "api latency", "ok", "fine", 12.5, 30f,
                    Map.of("region", "eu"), "production", "timer").event(1, "h", "s", null, null, null, null,
                    Map.of()).toBytes(),
            new byte[] {0x2a, 4, 0x0a, 2, 'q', '1'});
    final List<byte[]> statsdSeeds = List.of(
            "a.b:1|c|@0.5|#env:prod,host:x,k:v,t\nt:1:2:3|ms\ng:+4|g\nu:alice|s|T1700000000".getBytes(
                    StandardCharsets.UTF_8));
    final List<byte[]> jsonSeeds = List.of(("{\"host\":\"h\",\"service\":\"s\",\"metric\":1.5,\"tags\":[\"a\"],"
            + "\"attributes\":{\"k\":\"v\"},\"time\":1.7e9,\"ttl\":3}\n{\"host\":\"h\",\"service\":\"t\"}")
            .getBytes(StandardCharsets.UTF_8));

    byte[] next(List<byte[]> seeds) {
        if (random.nextInt(4) == 0) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            return junk;
        }
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(4)) {
                case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 1 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1)); // truncate
                default -> {
                    int at = random.nextInt(b.length + 1);
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
            }
            if (b.length == 0) {
                b = new byte[] {(byte) random.nextInt(256)};
            }
        }
        return b;
    }

    /** Feeds mutated inputs; returns how many events came out, so a test can see both outcomes happened. */
    int fuzz(DatagramDecoder decoder, List<byte[]> seeds) {
        int decoded = 0;
        for (int i = 0; i < ROUNDS; i++) {
            byte[] input = next(seeds);
            try {
                List<Event> out = new ArrayList<>();
                decoder.decode(input, 0, input.length, 42, out);
                decoded += out.size();
            } catch (MalformedInputException counted) {
                // the contract: the listener counts it
            } catch (RuntimeException e) {
                fail("input " + Arrays.toString(input) + " escaped as " + e, e);
            }
        }
        return decoded;
    }

    @Test
    void riemannDecoder() {
        assertTrue(fuzz(new RiemannDecoder(counters), riemannSeeds) > 0, "some mutations stay decodable");
        assertTrue(counters.total(IngestCounters.Group.REFUSED) > 0, "and some are refused");
    }

    @Test
    void statsdDecoder() {
        assertTrue(fuzz(new DatagramLines(new StatsdDecoder("h", "", 100), counters), statsdSeeds) > 0);
        assertTrue(counters.total(IngestCounters.Group.REFUSED) > 0);
    }

    @Test
    void jsonLineDecoder() {
        assertTrue(fuzz(new DatagramLines(new JsonLineDecoder(), counters), jsonSeeds) > 0);
        assertTrue(counters.total(IngestCounters.Group.REFUSED) > 0);
    }

    @Test
    void streamHandlers() throws InterruptedException {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        StreamHandler riemann = new RiemannFraming(new RiemannDecoder(counters), 1024, intake, counters, budget);
        StreamHandler json = new LineStream(new JsonLineDecoder(), 64, intake, counters, budget);
        for (int i = 0; i < ROUNDS / 10; i++) {
            byte[] msg = next(riemannSeeds);
            ByteBuffer framed = ByteBuffer.allocate(8 + msg.length);
            framed.putInt(random.nextInt(8) == 0 ? random.nextInt() : msg.length).put(msg).putInt(msg.length);
            serve(riemann, framed.array());
            serve(json, next(jsonSeeds));
        }
        assertTrue(counters.received() > 0, "some framed input got through");
        assertTrue(counters.total(IngestCounters.Group.REFUSED) > 0, "and some was refused");
    }

    /** Serves one loopback connection that sends the input, half-closes and reads every reply. */
    void serve(StreamHandler handler, byte[] input) throws InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            Thread reader = new Thread(() -> {
                try {
                    client.getOutputStream().write(input);
                    client.shutdownOutput();
                    client.getInputStream().readAllBytes();
                } catch (IOException ignored) {
                    // the bridge may hang up
                }
            });
            reader.start();
            try {
                handler.serve(new TcpConnection(accepted, 1024, 5_000, 1024, new ArrivalClock().lane()));
            } catch (IOException ended) {
                // a connection may end
            } catch (RuntimeException e) {
                fail("stream " + Arrays.toString(input) + " escaped as " + e, e);
            } finally {
                accepted.close();
                reader.join(5_000);
            }
        } catch (IOException e) {
            fail("loopback connection failed: " + e, e);
        }
    }
}
