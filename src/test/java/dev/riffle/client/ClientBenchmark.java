package dev.riffle.client;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an instrument call costs the application's thread (run by scripts/bench-client, never by the tests).
 *
 * <ul>
 *   <li>{@code enqueue*}: an enabled client whose queue has room. Nobody drains it while a batch of calls is
 *       timed; it is emptied between batches, outside the timing.</li>
 *   <li>{@code full*}: an enabled client whose queue is full: the event is dropped and counted.</li>
 *   <li>{@code disabled*}: a client that is not configured.</li>
 *   <li>{@code sustained*}: a real client sending UDP to a socket on loopback while one thread does nothing
 *       but fire events, so the queue is full most of the time: a mix of enqueues and drops.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ClientBenchmark {
    private static final int BATCH = 1_000;

    private Meter fullMeter;
    private Meter disabledMeter;
    private Timer disabledTimer;
    private double value;

    @Setup(Level.Trial)
    public void setUp() {
        Riffle full = new Riffle(settings(1), false);
        fullMeter = full.meter("page-views");
        fullMeter.inc(); // fills it

        disabledMeter = Riffle.disabled().meter("page-views");
        disabledTimer = Riffle.disabled().timer("search-time");
    }

    private static ClientSettings settings(int queueCapacity) {
        return new ClientSettings(true, "127.0.0.1", 5555, Riffle.Protocol.UDP, "production", "bench",
                queueCapacity, 1400, 20);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void enqueueMeterInc(Idle idle) {
        for (int i = 0; i < BATCH; i++) {
            idle.meter.inc();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void enqueueHistogramRecord(Idle idle) {
        for (int i = 0; i < BATCH; i++) {
            idle.histogram.record(value += 0.5);
        }
    }

    /** Two events: the start meter and the timing. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void enqueueTimerStartClose(Idle idle) {
        for (int i = 0; i < BATCH; i++) {
            try (Timer.Sample t = idle.timer.start()) {
                value++;
            }
        }
    }

    /**
     * An enabled client whose queue nobody drains while calls are timed; emptied after each batch. Its own state,
     * because a per-invocation fixture adds timestamps to every benchmark that uses the state.
     */
    @State(Scope.Thread)
    public static class Idle {
        Riffle client;
        Meter meter;
        Histogram histogram;
        Timer timer;

        @Setup(Level.Trial)
        public void setUp() {
            client = new Riffle(settings(3 * BATCH), false);
            meter = client.meter("page-views");
            histogram = client.histogram("search-results");
            timer = client.timer("search-time");
        }

        @TearDown(Level.Invocation)
        public void drain() {
            EventQueue queue = client.queue();
            while (queue.poll() != null) {
                // emptied outside the timed calls
            }
        }
    }

    @Benchmark
    public void fullQueueMeterInc() {
        fullMeter.inc();
    }

    @Benchmark
    public void disabledMeterInc() {
        disabledMeter.inc();
    }

    @Benchmark
    public void disabledTimerStartClose() {
        try (Timer.Sample t = disabledTimer.start()) {
            value++;
        }
    }

    @Benchmark
    public void sustainedUdpMeterInc(Sending sending) {
        sending.meter.inc();
    }

    /** A real client sending to a UDP socket on loopback that nobody reads. */
    @State(Scope.Benchmark)
    public static class Sending {
        DatagramSocket sink;
        Riffle client;
        Meter meter;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            sink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            client = Riffle.builder().bridge("127.0.0.1", sink.getLocalPort()).hostname("bench").build();
            meter = client.meter("page-views");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            System.out.println("\nsustained UDP client: " + client);
            client.close();
            sink.close();
        }
    }
}
