package dev.riffle.client;

import java.util.concurrent.atomic.LongAdder;

/** What became of the events the application fired; LongAdders, so callers on many threads do not contend. */
final class ClientCounters {
    final LongAdder sent = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder invalid = new LongAdder();
}
