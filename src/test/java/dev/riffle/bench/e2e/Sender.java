package dev.riffle.bench.e2e;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a step's events at a target rate for a fixed time, the way real clients do: Riemann protobuf over UDP (one
 * event per datagram), Riemann protobuf over TCP (Msgs of {@code batch} events, pipelined with at most
 * {@code inflight} Msgs unanswered per connection, replies read by another thread), statsd lines over UDP
 * ({@code batch} lines per datagram). Pacing: every millisecond it sends what is due since the start, so a
 * generator that falls behind catches up at full speed and "offered" is what was actually sent.
 */
final class Sender {
    enum Protocol {
        UDP("riemann-udp"), TCP("riemann-tcp"), STATSD("statsd");

        final String label;

        Protocol(String label) {
            this.label = label;
        }
    }

    /** What was sent: events, of which meters; for TCP the Msgs sent and answered. */
    record Sent(long events, long meters, long msgs, long okReplies, long errorReplies, double seconds) {
    }

    private final Protocol protocol;
    private final InetSocketAddress target;
    private final int batch;
    private final int inflight;
    private final int connections;

    Sender(Protocol protocol, InetSocketAddress target, int batch, int inflight, int connections) {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the benchmark sends to loopback addresses only: " + target);
        }
        this.protocol = protocol;
        this.target = target;
        this.batch = protocol == Protocol.UDP ? 1 : Math.max(1, batch);
        this.inflight = Math.max(1, inflight);
        this.connections = protocol == Protocol.TCP ? Math.max(1, connections) : 1;
    }

    Sent run(Workload work, long eventsPerSecond, int seconds, long seed) throws Exception {
        return protocol == Protocol.TCP ? runTcp(work, eventsPerSecond, seconds, seed)
                : runUdp(work, eventsPerSecond, seconds, seed);
    }

    private interface UnitSender {
        void send(long unit) throws IOException;
    }

    /** Calls the sender for every unit due since the start, each millisecond, until the time is up. */
    static long pace(long unitsPerSecond, long nanos, UnitSender sender) throws IOException {
        long start = System.nanoTime();
        long end = start + nanos;
        long sent = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return sent;
            }
            long due = (long) ((now - start) * (unitsPerSecond / 1e9));
            while (sent < due && System.nanoTime() < end) {
                sender.send(sent++);
            }
            LockSupport.parkNanos(Math.min(1_000_000L, Math.max(0, end - System.nanoTime())));
        }
    }

    private Sent runUdp(Workload work, long eventsPerSecond, int seconds, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer datagram = ByteBuffer.allocate(64 * 1024);
        long[] meters = {0};
        long[] events = {0};
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            long t0 = System.nanoTime();
            long units = pace(Math.max(1, eventsPerSecond / batch), TimeUnit.SECONDS.toNanos(seconds), unit -> {
                datagram.clear();
                for (int i = 0; i < batch; i++) {
                    long e = events[0]++;
                    Workload.Kind kind = work.kind(e);
                    if (kind == Workload.Kind.METER) {
                        meters[0]++;
                    }
                    long tenths = Workload.tenths(kind, random);
                    if (protocol == Protocol.UDP) {
                        work.appendRiemann(e, tenths, datagram);
                    } else {
                        if (i > 0) {
                            datagram.put((byte) '\n');
                        }
                        work.appendStatsd(e, tenths, datagram);
                    }
                }
                datagram.flip();
                channel.write(datagram);
            });
            double took = (System.nanoTime() - t0) / 1e9;
            return new Sent(units * batch, meters[0], units, 0, 0, took);
        }
    }

    private Sent runTcp(Workload work, long eventsPerSecond, int seconds, long seed) throws Exception {
        AtomicLong events = new AtomicLong();
        AtomicLong meters = new AtomicLong();
        AtomicLong msgs = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        long nanos = TimeUnit.SECONDS.toNanos(seconds);
        for (int c = 0; c < connections; c++) {
            int connection = c;
            Thread t = new Thread(() -> {
                try {
                    connection(work, eventsPerSecond / connections, nanos, seed + connection, connection, events,
                            meters, msgs, ok, errors);
                } catch (IOException | InterruptedException e) {
                    System.err.println("bench-e2e: TCP connection " + connection + " failed: " + e);
                }
            }, "bench-tcp-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(nanos / 1_000_000 + 60_000);
        }
        double took = (System.nanoTime() - t0) / 1e9;
        return new Sent(events.get(), meters.get(), msgs.get(), ok.get(), errors.get(), took);
    }

    private void connection(Workload work, long eventsPerSecond, long nanos, long seed, int connection,
                            AtomicLong events, AtomicLong meters, AtomicLong msgs, AtomicLong ok, AtomicLong errors)
            throws IOException, InterruptedException {
        SplittableRandom random = new SplittableRandom(seed);
        Semaphore window = new Semaphore(inflight);
        ByteBuffer msg = ByteBuffer.allocate(4 + batch * 256);
        long deadline = System.nanoTime() + nanos;
        try (Socket s = new Socket()) {
            s.connect(target, 5_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            AtomicLong answered = new AtomicLong();
            Thread replies = new Thread(() -> readReplies(in, window, answered, ok, errors), "bench-tcp-replies");
            replies.setDaemon(true);
            replies.start();
            long[] local = {0, 0}; // events, meters of this connection
            long sentMsgs = pace(Math.max(1, eventsPerSecond / batch), nanos, unit -> {
                try {
                    while (!window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                        if (System.nanoTime() >= deadline) {
                            throw new IOException("deadline");
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                msg.clear();
                msg.putInt(0);
                for (int i = 0; i < batch; i++) {
                    // event numbers interleave the connections so that together they go round-robin
                    long e = (unit * connections + connection) * batch + i;
                    Workload.Kind kind = work.kind(e);
                    if (kind == Workload.Kind.METER) {
                        local[1]++;
                    }
                    work.appendRiemann(e, Workload.tenths(kind, random), msg);
                }
                msg.putInt(0, msg.position() - 4);
                out.write(msg.array(), 0, msg.position());
                local[0] += batch;
            }, () -> System.nanoTime() >= deadline);
            events.addAndGet(local[0]);
            meters.addAndGet(local[1]);
            msgs.addAndGet(sentMsgs);
            s.shutdownOutput(); // half-close: the bridge answers what it has, then hangs up
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered.get() < sentMsgs && replies.isAlive() && System.nanoTime() < wait) {
                Thread.sleep(20);
            }
        }
    }

    /** pace() for TCP: a unit that could not be sent before the deadline (window full) ends the loop. */
    private static long pace(long unitsPerSecond, long nanos, UnitSender sender, java.util.function.BooleanSupplier over)
            throws IOException {
        long[] done = {0};
        try {
            pace(unitsPerSecond, nanos, unit -> {
                sender.send(unit);
                done[0]++;
            });
        } catch (IOException e) {
            if (!over.getAsBoolean()) {
                throw e;
            }
        }
        return done[0];
    }

    private static void readReplies(DataInputStream in, Semaphore window, AtomicLong answered, AtomicLong ok,
                                    AtomicLong errors) {
        try {
            while (true) {
                int length = in.readInt();
                if (length < 0 || length > 1 << 20) {
                    throw new IOException("reply length " + length);
                }
                byte[] reply = in.readNBytes(length);
                if (dev.riffle.client.RiemannMessage.replyError(reply) == null) {
                    ok.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                }
                answered.incrementAndGet();
                window.release();
            }
        } catch (IOException end) {
            // the bridge hung up after the last reply
        }
    }
}
