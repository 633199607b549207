package dev.riffle.topology;

import static dev.riffle.topology.Harness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import dev.riffle.core.GraphiteNames;
import dev.riffle.core.PointsCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * Points leave the topology in batches: many points a record, each record bounded in bytes, a series always in
 * the same lane (so the same partition), with the same Graphite paths and values as one record per point had.
 */
class PointBatchesTest {
    /** 2,000 hosts x 20 services by default; {@code -Driffle.points.hosts=7500} measures 150k series */
    private static final int HOSTS = Integer.getInteger("riffle.points.hosts", 2_000);
    private static final int SERVICES = 20;

    @Test
    void aWindowOfManySeriesIsAFewRecordsOfManyPointsEach() {
        try (Harness h = new Harness()) {
            Map<String, String> laneOf = new HashMap<>();
            for (int w = 0; w < 2; w++) {
                long start = T0 + w * 5_000L;
                for (int host = 0; host < HOSTS; host++) {
                    List<Event> batch = new ArrayList<>(SERVICES);
                    for (int s = 0; s < SERVICES; s++) {
                        batch.add(Event.of((start + s) * 1000, "host" + host, "svc" + s,
                                List.of("production", "meter"), (double) s));
                    }
                    h.sendBatch(batch);
                }
                h.tick(start + 5_000 + 1_000 + 1);
                List<KeyValue<String, byte[]>> written = new ArrayList<>(h.records());
                for (int turn = 0; turn < 100; turn++) { // the punctuator closes the window's further slices
                    h.idle(java.time.Duration.ofMillis(20));
                    written.addAll(h.records());
                }
                long points = 0;
                long records = 0;
                int clocks = 0;
                long lastClock = Long.MIN_VALUE;
                Set<String> paths = new HashSet<>();
                for (KeyValue<String, byte[]> r : written) {
                    records++;
                    assertTrue(r.value.length <= PointsCodec.MAX_RECORD_BYTES + 1_024, r.value.length + " bytes");
                    PointsCodec.Contents c = PointsCodec.decode(r.value);
                    clocks += c.clocks().size();
                    for (PointsCodec.Clock k : c.clocks()) {
                        lastClock = k.timeSeconds();
                    }
                    for (PointsCodec.SeriesPoint p : c.points()) {
                        points++;
                        String path = GraphiteNames.of(p.id());
                        assertEquals(start / 1000, p.point().timestampSeconds(), path);
                        String lane = laneOf.putIfAbsent(path, r.key);
                        assertTrue(lane == null || lane.equals(r.key), path + " moved from " + lane + " to " + r.key);
                        if (path.startsWith("production.host7.")) {
                            assertEquals((double) Integer.parseInt(path.split("\\.")[2].substring(3)) / 5,
                                    p.point().value(), 1e-9, path);
                        }
                        paths.add(path);
                    }
                }
                for (int s = 0; s < SERVICES; s++) {
                    assertTrue(paths.contains("production.host1999.svc" + s + ".rate-per-second"));
                    assertTrue(paths.contains("production.all-hosts.svc" + s + ".rate-per-second"));
                }
                // per host and all-hosts, and Riffle's own meters (raw-events-processed, points-emitted)
                assertEquals(HOSTS * SERVICES + SERVICES + 2, paths.size());
                assertEquals(paths.size(), points, "each series once a window");
                assertTrue(clocks >= 1, "the fleet task's clock after the window's points");
                assertEquals(start / 1000, lastClock, "the clock says the window is written");
                System.out.printf("window %d: %d points in %d records (%.0f points a record)%n", w, points, records,
                        (double) points / records);
                assertTrue(points / records >= 20, points + " points in " + records + " records");
            }
        }
    }
}
