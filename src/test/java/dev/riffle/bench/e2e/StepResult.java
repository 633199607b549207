package dev.riffle.bench.e2e;

/**
 * The figures of one step. Counts are events unless named points; -1 means "does not apply / unknown" and is shown
 * as a dash.
 *
 * @param target       what received the load: riemann-udp, riemann-tcp, statsd (all into Riffle) or etsy-statsd
 * @param offered      events sent by the generator
 * @param acked        TCP: events in Msgs answered ok
 * @param inKafka      Riffle: the bridge's "to kafka" figure over the step
 * @param counted      Riffle: the streams stage's "events" figure over the step; Etsy: its metrics_received
 * @param late         Riffle: the streams stage's "late" figure over the step
 * @param meterOffered meter (statsd counter) events sent
 * @param meterCounted per-host meter points' value x window summed (Riffle), counters' count summed (Etsy)
 * @param kernelDrops  UDP datagrams the kernel dropped for a full receive buffer over the step (whole machine)
 * @param points       points of the step at the listener when the step was reported
 * @param fleetPoints  of those, all-hosts (fleet) points
 * @param p50Ms        latency from the end of a point's interval to its arrival at the listener
 * @param fleetP99Ms   the same, p99 of the all-hosts points only
 * @param liveHeapMiB  the largest heap left after a collection (the live set's high-water mark)
 */
record StepResult(String target, int series, long rate, int seconds, long offered, double offeredPerSecond,
                  long acked, long inKafka, long counted, long late, long meterOffered, long meterCounted,
                  long kernelDrops, long points, long fleetPoints, long p50Ms, long p99Ms, long maxMs, long fleetP99Ms, long peakHeapMiB,
                  long liveHeapMiB, long peakRssMiB, double cores, double benchCores, String note) {

    /** offered - counted, or -1 when nothing counted events. */
    long lost() {
        return counted < 0 ? -1 : offered - counted;
    }

    long meterLost() {
        return meterCounted < 0 ? -1 : meterOffered - meterCounted;
    }

    /** Events counted per second of sending (the throughput plotted). */
    double countedPerSecond() {
        return counted < 0 || offered <= 0 ? -1 : counted * (offeredPerSecond / offered);
    }
}
