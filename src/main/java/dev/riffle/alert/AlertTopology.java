package dev.riffle.alert;

import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.core.EventCodec;
import dev.riffle.core.PointsCodec;
import dev.riffle.core.SeriesId;
import dev.riffle.core.SinkFigures;
import dev.riffle.core.Statistic;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule evaluator as a Kafka Streams topology (exactly once, under its own application id), read top to bottom
 * the way the data flows:
 * <pre>
 * points topic (time = window start) -> evaluate-points [store alert-series] -+-> alerts topic (transitions)
 * events topic ----------------------> evaluate-states [store alert-states] -+-> points topic (occurrences)
 * </pre>
 * The two inputs are separate sub-topologies (their partition counts need not agree). Every transition goes to
 * the alerts topic keyed {@code rule|series}; firing and resolved ones also go to the points topic as an
 * occurrence point {@code riffle.alerts.<rule>} = 1.0 at the transition's time, which the Graphite sink writes.
 */
public final class AlertTopology {
    private static final Logger log = LoggerFactory.getLogger(AlertTopology.class);
    static final String SERIES_STORE = "alert-series";
    static final String STATES_STORE = "alert-states";
    static final String TO_ALERTS = "to-alerts";
    static final String TO_POINTS = "to-points";
    private static final Map<String, String> CHANGELOG = Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000");

    private AlertTopology() {
    }

    public static Topology build(Config config, AlertCounters counters) {
        List<Rule> rules = config.get(AlertKeys.RULES);
        long maxSeries = config.get(AlertKeys.MAX_SERIES);
        int matchCache = config.get(AlertKeys.MATCH_CACHE);
        Topology t = new Topology();
        boolean pointRules = rules.stream().anyMatch(r -> r.kind() != Rule.Kind.STATE);
        boolean stateRules = rules.stream().anyMatch(r -> r.kind() == Rule.Kind.STATE);
        if (pointRules) {
            t.addSource(Topology.AutoOffsetReset.LATEST, "points", new WindowTime(), Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(), config.get(CommonKeys.POINTS_TOPIC));
            t.addProcessor("evaluate-points", () -> new PointsProcessor(rules, maxSeries, matchCache, counters,
                    config.get(CommonKeys.SELF_HOST)),
                    "points");
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SERIES_STORE),
                    Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(CHANGELOG), "evaluate-points");
        }
        if (stateRules) {
            t.addSource(Topology.AutoOffsetReset.LATEST, "events", Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(), config.get(CommonKeys.EVENTS_TOPIC));
            t.addProcessor("evaluate-states", () -> new StatesProcessor(rules, maxSeries, counters), "events");
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATES_STORE),
                    Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(CHANGELOG), "evaluate-states");
        }
        String[] parents = pointRules && stateRules ? new String[] {"evaluate-points", "evaluate-states"}
                : pointRules ? new String[] {"evaluate-points"} : new String[] {"evaluate-states"};
        t.addSink(TO_ALERTS, config.get(AlertKeys.TOPIC), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), parents);
        t.addSink(TO_POINTS, config.get(CommonKeys.POINTS_TOPIC), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), parents);
        return t;
    }

    /**
     * A record's time is the newest window start among its points and clocks (the points topic's record time is its
     * append time), read from the record's header without decoding it.
     */
    static final class WindowTime implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            if (record.value() instanceof byte[] bytes) {
                try {
                    return PointsCodec.recordTimeSeconds(bytes) * 1000L;
                } catch (RuntimeException e) {
                    // the processor counts it; keep the partition's time so the record is not dropped unseen
                }
            }
            return Math.max(partitionTime, 0);
        }
    }

    /** Forwards a transition to the alerts topic and, for firing/resolved, an occurrence point. */
    private static void emit(ProcessorContext<String, byte[]> ctx, Transition tr, AlertCounters counters) {
        ctx.forward(new Record<>(tr.key(), TransitionCodec.encode(tr), tr.atMs()), TO_ALERTS);
        counters.transition(tr.status());
        if (tr.status() == Transition.Status.FIRING || tr.status() == Transition.Status.RESOLVED) {
            byte[] point = new PointsCodec.Builder().add(ownSeries(tr.rule()), 1.0, Math.floorDiv(tr.atMs(), 1000L))
                    .build();
            ctx.forward(new Record<>(PointEvaluator.OWN_PREFIX + tr.rule(), point, tr.atMs()), TO_POINTS);
        }
    }

    /**
     * The series of a rule's transition points, named {@code riffle.alerts.<rule>} in Graphite: an occurrence (no
     * suffix) of the service {@code alerts.<rule>} under the host {@code riffle} (rule names are A-Z a-z 0-9 _ -).
     */
    static SeriesId ownSeries(String rule) {
        return SeriesId.fleet("", "riffle", "alerts." + rule, Statistic.occurrences(""));
    }

    private static StateView view(KeyValueStore<String, byte[]> store) {
        return new StateView() {
            @Override
            public byte[] get(String key) {
                return store.get(key);
            }

            @Override
            public void put(String key, byte[] value) {
                store.put(key, value);
            }

            @Override
            public void delete(String key) {
                store.delete(key);
            }

            @Override
            public void forEach(BiConsumer<String, byte[]> action) {
                try (KeyValueIterator<String, byte[]> it = store.all()) {
                    while (it.hasNext()) {
                        KeyValue<String, byte[]> kv = it.next();
                        action.accept(kv.key, kv.value);
                    }
                }
            }
        };
    }

    /** What both evaluating processors share: the rules, their bound, the counters and the way out. */
    private abstract static class Evaluating implements Processor<String, byte[], String, byte[]> {
        final List<Rule> rules;
        final long maxSeries;
        final AlertCounters counters;
        ProcessorContext<String, byte[]> ctx;

        Evaluating(List<Rule> rules, long maxSeries, AlertCounters counters) {
            this.rules = rules;
            this.maxSeries = maxSeries;
            this.counters = counters;
        }

        void emitAll(List<Transition> transitions) {
            for (Transition tr : transitions) {
                emit(ctx, tr, counters);
            }
        }
    }

    static final class PointsProcessor extends Evaluating {
        private final int matchCache;
        private final String selfHost;
        private PointEvaluator evaluator;

        PointsProcessor(List<Rule> rules, long maxSeries, int matchCache, AlertCounters counters, String selfHost) {
            super(rules, maxSeries, counters);
            this.matchCache = matchCache;
            this.selfHost = selfHost;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.ctx = context;
            evaluator = new PointEvaluator(rules, view(context.getStateStore(SERIES_STORE)), maxSeries,
                    matchCache);
            counters.register(evaluator);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            PointsCodec.Contents contents;
            try {
                contents = PointsCodec.decode(record.value());
            } catch (RuntimeException e) {
                counters.malformed(log, PointsCodec.isPreviousFormat(record.value())
                        ? "point in the format before batches (refused; see README Upgrading)" : "points record", e);
                return;
            }
            long now = counters.now();
            long oldest = Long.MAX_VALUE;
            int behind = 0;
            for (PointsCodec.SeriesPoint p : contents.points()) {
                counters.pointEvaluated();
                long time = p.point().timestampSeconds() * 1000L;
                // the sink's own figures are stamped by its wall clock as their 5 s window ends, before the
                // topology has written that window: evaluated, but they never move the clock (an absence would fire
                // before its series' point of that window came, a lagging topology's series all at once)
                emitAll(evaluator.onPoint(p.id(), time, p.point().value(), !SinkFigures.is(p.id(), selfHost)));
                oldest = Math.min(oldest, time);
                behind += now - time >= counters.behindMs() ? 1 : 0;
            }
            if (oldest != Long.MAX_VALUE) {
                counters.evaluated(now, oldest, behind);
            }
            // a record's clock entries follow its points (the topology writes them alone, after its points)
            for (PointsCodec.Clock c : contents.clocks()) {
                emitAll(evaluator.onClock(c.timeSeconds() * 1000L));
            }
            evaluator.endRecord(); // the record's series go to the seen log in one store entry
        }

        @Override
        public void close() {
            counters.unregister(evaluator);
        }
    }

    static final class StatesProcessor extends Evaluating {
        private StateEvaluator evaluator;

        StatesProcessor(List<Rule> rules, long maxSeries, AlertCounters counters) {
            super(rules, maxSeries, counters);
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.ctx = context;
            evaluator = new StateEvaluator(rules, view(context.getStateStore(STATES_STORE)), maxSeries);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            EventCodec.Contents contents;
            try {
                contents = EventCodec.decodeRecord(record.value());
            } catch (RuntimeException e) {
                counters.malformed(log, "event record", e);
                return;
            }
            counters.eventRecordEvaluated();
            if (contents instanceof EventCodec.Batch batch) {
                for (dev.riffle.core.Event e : batch.events()) {
                    emitAll(evaluator.onEvent(e));
                }
            }
        }
    }
}
