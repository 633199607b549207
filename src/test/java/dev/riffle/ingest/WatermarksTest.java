package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bridge's watermark: what the listener lanes hold, ticks at window closes, stalls, goodbye. */
class WatermarksTest {
    static final long MS = 1000; // the clock is in microseconds
    static final long T0 = 1_700_000_000_000L * MS; // a window start

    final AtomicLong now = new AtomicLong(T0);
    final ArrivalClock clock = new ArrivalClock(now::get);
    final List<long[]> ticks = new ArrayList<>(); // {watermark, bye}
    final Watermarks watermarks = new Watermarks(clock, (w, bye) -> ticks.add(new long[] {w, bye ? 1 : 0}),
            5_000, 1_000);

    /** Ticker rounds every 200 ms up to {@code untilMs} after T0; returns the last watermark. */
    long runUntil(long untilMs) {
        long w = Long.MIN_VALUE;
        while (now.get() < T0 + untilMs * MS) {
            now.addAndGet(200 * MS);
            w = watermarks.tick(now.get());
        }
        return w;
    }

    @Test
    void idleBridgeTicksOncePerWindowCloseAtItsClock() {
        assertEquals(T0 + 30_000 * MS, runUntil(30_000));
        // the first round announces the bridge, then one tick each time a window's end + grace is passed
        List<Long> times = ticks.stream().map(t -> (t[0] - T0) / MS).toList();
        assertEquals(List.of(200L, 1_000L, 6_000L, 11_000L, 16_000L, 21_000L, 26_000L), times);
    }

    @Test
    void aLaneHoldingUnpublishedInputHoldsTheWatermarkAtItsStamp() {
        ArrivalClock.Lane blocked = clock.lane();
        ArrivalClock.Lane busy = clock.lane();
        now.addAndGet(300 * MS);
        long stamp = blocked.arrive(); // read, then stuck (waiting for Kafka, descheduled, ...)
        for (int i = 0; i < 25; i++) { // 5 s in which the other lane keeps reading and publishing
            now.addAndGet(200 * MS);
            busy.arrive();
            busy.published();
            assertEquals(stamp, watermarks.tick(now.get()));
        }
        blocked.published();
        now.addAndGet(200 * MS);
        assertEquals(now.get(), watermarks.tick(now.get()));
        assertTrue(ticks.stream().allMatch(t -> t[0] <= stamp || t[0] == now.get()), "no tick passed the stamp");
    }

    @Test
    void laterStampsOfABusyLaneDoNotReleaseItsOldestOne() {
        ArrivalClock.Lane lane = clock.lane();
        long first = lane.arrive();
        now.addAndGet(3_000 * MS);
        long later = lane.arrive(); // more input read before the first was published
        assertTrue(later > first);
        assertEquals(first, watermarks.tick(now.get()));
    }

    @Test
    void pendingHandOversHoldTheWatermark() {
        AtomicLong oldest = new AtomicLong(Long.MAX_VALUE);
        clock.add(oldest::get);
        now.addAndGet(1_000 * MS);
        oldest.set(T0 + 500 * MS);
        assertEquals(T0 + 500 * MS, watermarks.tick(now.get()));
        oldest.set(Long.MAX_VALUE);
        assertEquals(now.get(), watermarks.tick(now.get()));
    }

    @Test
    void afterAStallTheWatermarkWaitsForListenersToReadWhatQueued() {
        ArrivalClock.Lane quiet = clock.lane(); // idle through the stall, nothing for it
        ArrivalClock.Lane loaded = clock.lane(); // its socket filled during the stall
        long beforeStall = runUntil(1_000);
        now.addAndGet(4_000 * MS); // the whole process stopped for 4 s; the ticker oversleeps
        long resumed = now.get();
        assertEquals(beforeStall, watermarks.tick(resumed), "held at the stall's start");
        now.addAndGet(10 * MS);
        loaded.arrive(); // what the kernel queued is stamped only now...
        now.addAndGet(300 * MS);
        assertEquals(beforeStall, watermarks.tick(now.get()), "...so the watermark must not pass it yet");
        loaded.published();
        assertEquals(beforeStall, watermarks.tick(now.get()), "it has not found its input empty yet");
        loaded.drained();
        assertEquals(now.get(), watermarks.tick(now.get()), "every lane caught up");
        assertEquals(1, watermarks.stalls());
        assertTrue(quiet != null);
    }

    @Test
    void aStallHoldLastsAtMostTheStallPlusTheGrace() {
        ArrivalClock.Lane loaded = clock.lane();
        runUntil(1_000);
        now.addAndGet(4_000 * MS); // D = 4 s: held at most 5 s after the resume
        watermarks.tick(now.get());
        loaded.arrive(); // keeps reading (publishing, but never finding its input empty)
        loaded.published();
        assertEquals(T0 + 1_000 * MS, runUntil(9_800), "held while the lane has not caught up");
        assertEquals(T0 + 10_000 * MS, runUntil(10_000), "released 5 s after the resume");
    }

    @Test
    void aLongStallHoldIsBoundedByTheMaximum() {
        ArrivalClock.Lane loaded = clock.lane();
        runUntil(1_000);
        now.addAndGet(20_000 * MS);
        watermarks.tick(now.get());
        loaded.arrive();
        loaded.published();
        long resumed = 21_000;
        assertEquals(T0 + 1_000 * MS, runUntil(resumed + Watermarks.MAX_HOLD_MS - 200));
        assertEquals(T0 + (resumed + Watermarks.MAX_HOLD_MS) * MS, runUntil(resumed + Watermarks.MAX_HOLD_MS));
    }

    /** One Msg of events its client stamped at {@code eventMs} after T0, read, handed over and published. */
    static void msg(ArrivalClock.Lane lane, long eventMs) {
        lane.arrive();
        lane.handed(List.of(Event.of(T0 + eventMs * MS, "h", "s", List.of("meter"), 1.0)));
        lane.published();
    }

    /**
     * A client that waits for each answer held back what it made during the stall and sends it after: the watermark
     * stays at the stall's start through that backlog, until the client hands over an event made after the stall.
     */
    @Test
    void aTcpClientsBacklogIsWaitedForUntilItSendsWhatItMadeAfterTheStall() {
        ArrivalClock.Lane tcp = clock.streamLane();
        ArrivalClock.Lane udp = clock.lane();
        long beforeStall = runUntil(1_000);
        msg(tcp, 900);
        now.addAndGet(4_000 * MS); // stopped from 1 s to 5 s
        long resumed = now.get();
        assertEquals(beforeStall, watermarks.tick(resumed));
        udp.arrive();
        udp.published();
        udp.drained(); // what the kernel queued for UDP is read
        for (long made : new long[] {2_000, 3_000, 4_000, 4_950}) { // the backlog, one Msg per answer
            now.addAndGet(50 * MS);
            msg(tcp, made);
            assertEquals(beforeStall, watermarks.tick(now.get()), "backlog up to " + made + " ms");
        }
        now.addAndGet(400 * MS); // it settles, and nothing comes: a client between its periods
        assertEquals(beforeStall, watermarks.tick(now.get()), "not quiet: it read input since the stall");
        now.addAndGet(400 * MS);
        msg(tcp, 5_000 + 10); // made just after the resume
        assertEquals(now.get(), watermarks.tick(now.get()), "past the stall: released");
        assertTrue(ticks.stream().allMatch(t -> t[0] <= beforeStall || t[0] == now.get()));
    }

    /** A connection whose answer was due across the stall is not quiet until its client had time to answer it. */
    @Test
    void aTcpClientOwedAnAnswerIsWaitedFor() {
        ArrivalClock.Lane tcp = clock.streamLane();
        long beforeStall = runUntil(1_000);
        msg(tcp, 900);
        tcp.owing(true); // Kafka's answer for it had not come when the process stopped
        now.addAndGet(4_000 * MS);
        assertEquals(beforeStall, watermarks.tick(now.get()));
        now.addAndGet(Watermarks.SETTLE_MS * 2 * MS);
        assertEquals(beforeStall, watermarks.tick(now.get()), "owing: the client waits for the answer");
        tcp.replied();
        tcp.owing(false);
        now.addAndGet(Watermarks.SETTLE_MS / 2 * MS);
        assertEquals(beforeStall, watermarks.tick(now.get()), "answered just now: its client may send yet");
        now.addAndGet(Watermarks.SETTLE_MS * MS);
        assertEquals(now.get(), watermarks.tick(now.get()), "answered and quiet since: released");
    }

    @Test
    void anIdleTcpConnectionIsQuietAfterTheSettleTime() {
        ArrivalClock.Lane tcp = clock.streamLane();
        long beforeStall = runUntil(1_000);
        msg(tcp, 900);
        now.addAndGet(4_000 * MS);
        long resumed = now.get();
        assertEquals(beforeStall, watermarks.tick(resumed));
        now.addAndGet(200 * MS);
        assertEquals(beforeStall, watermarks.tick(now.get()));
        now.set(resumed + Watermarks.SETTLE_MS * MS);
        assertEquals(now.get(), watermarks.tick(now.get()));
        assertTrue(tcp != null);
    }

    /** Without a stall, a client whose events are stamped 3 s behind holds nothing: its events can be late. */
    @Test
    void withoutAStallASlowClientHoldsNothing() {
        ArrivalClock.Lane tcp = clock.streamLane();
        for (int i = 0; i < 50; i++) {
            now.addAndGet(200 * MS);
            msg(tcp, (now.get() - T0) / MS - 3_000);
            assertEquals(now.get(), watermarks.tick(now.get()));
        }
        assertEquals(0, watermarks.stalls());
    }

    /** A TCP client that never sends an event made after the stall holds it for the stall's length plus the grace. */
    @Test
    void aTcpClientThatStaysBehindHoldsOnlyForTheStallPlusTheGrace() {
        ArrivalClock.Lane tcp = clock.streamLane();
        runUntil(1_000);
        now.addAndGet(3_000 * MS); // D = 3 s
        watermarks.tick(now.get());
        for (long t = 4_200; t <= 7_800; t += 200) {
            now.set(T0 + t * MS);
            msg(tcp, t - 6_000); // 6 s behind: never past the stall's end
            assertEquals(T0 + 1_000 * MS, watermarks.tick(now.get()), "held at " + t);
        }
        now.set(T0 + 8_000 * MS);
        assertEquals(now.get(), watermarks.tick(now.get()), "released 4 s after the resume");
    }

    @Test
    void aRoundSlowedByKafkaIsNotAStall() {
        Watermarks slow = new Watermarks(clock, (w, bye) -> now.addAndGet(1_200 * MS), 5_000, 1_000); // metadata wait
        for (int i = 0; i < 50; i++) {
            now.addAndGet(200 * MS);
            slow.tick(now.get());
        }
        assertEquals(0, slow.stalls());
    }

    @Test
    void goodbyeCarriesTheFinalWatermark() {
        runUntil(2_000);
        watermarks.close();
        long[] last = ticks.get(ticks.size() - 1);
        assertEquals(1, last[1]);
        assertEquals(T0 + 2_000 * MS, last[0]);
    }

    /**
     * Real threads and the real clock: one lane is stuck for 5 s with input it read, another keeps publishing;
     * in the "partition" (events and ticks in the order they were handed over) no tick may pass an event's stamp.
     */
    @Test
    void withRealThreadsNoTickEverPassesAnEventBeforeIt() throws Exception {
        ArrivalClock real = new ArrivalClock();
        List<long[]> partition = new ArrayList<>(); // {0, stamp} event or {1, watermark} tick
        Watermarks ticker = new Watermarks(real, (w, bye) -> {
            synchronized (partition) {
                partition.add(new long[] {1, w});
            }
        }, 100, 0); // a window close every 100 ms: many ticks
        AtomicBoolean stop = new AtomicBoolean();
        Thread stuck = new Thread(() -> {
            try (ArrivalClock.Lane lane = real.lane()) {
                long stamp = lane.arrive();
                Thread.sleep(5_000);
                synchronized (partition) {
                    partition.add(new long[] {0, stamp});
                }
                lane.published();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Thread> runners = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            runners.add(new Thread(() -> {
                try (ArrivalClock.Lane lane = real.lane()) {
                    for (int i = 0; i < 100_000 && !stop.get(); i++) {
                        long stamp = lane.arrive();
                        synchronized (partition) {
                            partition.add(new long[] {0, stamp});
                        }
                        lane.published();
                        if (i % 50 == 0) {
                            lane.drained();
                            Thread.sleep(1);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        ticker.start();
        stuck.start();
        runners.forEach(Thread::start);
        stuck.join(10_000);
        Thread.sleep(1_500); // ticks go on once the stuck lane has published
        stop.set(true);
        for (Thread t : runners) {
            t.join(5_000);
        }
        ticker.close();
        long watermark = Long.MIN_VALUE;
        int events = 0;
        int tickCount = 0;
        synchronized (partition) {
            for (long[] r : partition) {
                if (r[0] == 1) {
                    watermark = Math.max(watermark, r[1]);
                    tickCount++;
                } else {
                    events++;
                    assertTrue(r[1] >= watermark, "an event stamped " + r[1] + " after a tick at " + watermark);
                }
            }
        }
        assertTrue(events > 100, "events: " + events);
        assertTrue(tickCount >= 5, "ticks: " + tickCount);
    }
}
