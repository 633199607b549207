package dev.riffle.bench;

import dev.riffle.client.RiemannMessage;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends events to a bridge at a target rate for a fixed time, the way real clients do: Riemann protobuf over UDP
 * (one event per datagram), Riemann protobuf over TCP (Msgs of many events, pipelined, every reply read), and
 * statsd lines over UDP. Payloads are encoded up front so that the generator spends its CPU on sending.
 * Events carry the time the payloads were built: seconds old when they arrive, so never clamped.
 */
public final class LoadGenerator {
    /** What was sent; for TCP also how many replies said ok. */
    public record Result(long events, long units, long okReplies, double seconds) {
    }

    public enum Protocol { UDP, TCP, STATSD }

    private final Protocol protocol;
    private final InetSocketAddress target;
    private final int hosts;
    private final int batch;
    private final int connections;

    /**
     * @param batch events per TCP Msg, or statsd lines per datagram (Riemann UDP always sends one per datagram)
     */
    public LoadGenerator(Protocol protocol, InetSocketAddress target, int hosts, int batch, int connections) {
        this.protocol = protocol;
        this.target = target;
        this.hosts = hosts;
        this.batch = batch;
        this.connections = connections;
    }

    /** Events in one unit sent (datagram or Msg). */
    int eventsPerUnit() {
        return protocol == Protocol.UDP ? 1 : batch;
    }

    public Result run(long eventsPerSecond, int seconds) throws Exception {
        List<byte[]> payloads = payloads();
        long unitsPerSecond = Math.max(1, eventsPerSecond / eventsPerUnit());
        return protocol == Protocol.TCP ? runTcp(payloads, unitsPerSecond, seconds)
                : runUdp(payloads, unitsPerSecond, seconds);
    }

    private List<byte[]> payloads() {
        long now = System.currentTimeMillis() * 1000L;
        List<byte[]> out = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            String host = "bench-" + h;
            switch (protocol) {
                case UDP -> {
                    for (int s = 0; s < 10; s++) {
                        out.add(new RiemannMessage().event(now, host, "service " + s, "ok", null, 1.0 + s, null,
                                Map.of(), "production", "meter").toBytes());
                    }
                }
                case TCP -> {
                    RiemannMessage msg = new RiemannMessage();
                    for (int e = 0; e < batch; e++) {
                        msg.event(now, host, "service " + (e % 10), "ok", null, 1.0 + e, null, Map.of(), "production",
                                "meter");
                    }
                    out.add(msg.toBytes());
                }
                case STATSD -> {
                    StringBuilder lines = new StringBuilder();
                    for (int e = 0; e < batch; e++) {
                        lines.append(e == 0 ? "" : "\n").append("service.").append(e % 10).append(":1|c|#host:")
                                .append(host);
                    }
                    out.add(lines.toString().getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    /** Sends units of each 1 ms tick in a burst, then waits for the next tick: an even rate, cheap to keep. */
    private static long pace(long unitsPerSecond, int seconds, UnitSender sender) throws IOException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return sent;
            }
            long due = (now - start) * unitsPerSecond / 1_000_000_000L;
            while (sent < due) {
                sender.send(sent++);
            }
            LockSupport.parkNanos(Math.min(1_000_000L, end - now));
        }
    }

    private interface UnitSender {
        void send(long n) throws IOException;
    }

    private Result runUdp(List<byte[]> payloads, long unitsPerSecond, int seconds) throws IOException {
        List<ByteBuffer> buffers = payloads.stream().map(ByteBuffer::wrap).toList();
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            long t0 = System.nanoTime();
            long units = pace(unitsPerSecond, seconds, n -> {
                ByteBuffer b = buffers.get((int) (n % buffers.size()));
                b.rewind();
                channel.write(b);
            });
            double took = (System.nanoTime() - t0) / 1e9;
            return new Result(units * eventsPerUnit(), units, 0, took);
        }
    }

    private Result runTcp(List<byte[]> payloads, long unitsPerSecond, int seconds) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong units = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            int first = c;
            Thread t = new Thread(() -> {
                try (Socket s = new Socket()) {
                    s.connect(target);
                    s.setTcpNoDelay(true);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    Thread replies = new Thread(() -> readReplies(in, ok), "bench-replies");
                    replies.start();
                    long n = pace(Math.max(1, unitsPerSecond / connections), seconds, i -> {
                        byte[] msg = payloads.get((int) ((i * connections + first) % payloads.size()));
                        out.writeInt(msg.length);
                        out.write(msg);
                        if (i % 16 == 15) {
                            out.flush();
                        }
                    });
                    out.flush();
                    units.addAndGet(n);
                    s.shutdownOutput(); // half-close: the bridge answers the rest, then hangs up
                    replies.join(60_000);
                } catch (IOException | InterruptedException e) {
                    System.err.println("bench connection failed: " + e);
                }
            }, "bench-tcp-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + 90L));
        }
        double took = (System.nanoTime() - t0) / 1e9;
        return new Result(units.get() * batch, units.get(), ok.get(), took);
    }

    private static void readReplies(DataInputStream in, AtomicLong ok) {
        try {
            while (true) {
                byte[] reply = in.readNBytes(in.readInt());
                if (RiemannMessage.replyError(reply) == null) {
                    ok.incrementAndGet();
                }
            }
        } catch (IOException end) {
            // the bridge hung up after the last reply
        }
    }
}
