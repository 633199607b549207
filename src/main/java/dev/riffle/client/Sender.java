package dev.riffle.client;

import java.net.InetAddress;
import java.util.concurrent.locks.LockSupport;

/**
 * The client's one background thread: drains the queue, packs events into Riemann messages of at most
 * {@code maxMessageBytes}, and hands them to the transport. It sleeps between flushes, so an idle application
 * costs a wake-up every flush interval and nothing more.
 */
final class Sender implements Runnable {
    private static final long FINISH_NANOS = 1_000_000_000L;

    private final EventQueue queue;
    private final Transport transport;
    private final ClientCounters counters;
    private final FailureLog failures;
    private final String configuredHostname;
    private final int maxMessageBytes;
    private final long flushNanos;
    private final RiemannMessage batch = new RiemannMessage();
    private volatile boolean stopping;
    private String hostname;

    Sender(EventQueue queue, Transport transport, ClientCounters counters, FailureLog failures, String hostname,
           int maxMessageBytes, long flushNanos) {
        this.queue = queue;
        this.transport = transport;
        this.counters = counters;
        this.failures = failures;
        this.configuredHostname = hostname;
        this.maxMessageBytes = maxMessageBytes;
        this.flushNanos = flushNanos;
    }

    @Override
    public void run() {
        // resolved here, once: a slow DNS must never hold up the application
        hostname = configuredHostname != null ? configuredHostname : localHostname();
        try {
            while (!stopping) {
                drainSafely();
                LockSupport.parkNanos(this, flushNanos);
            }
            drainSafely(); // what was queued until close
            transport.finish(System.nanoTime() + FINISH_NANOS);
        } finally {
            transport.abort();
        }
    }

    void stop(Thread thread) {
        stopping = true;
        LockSupport.unpark(thread);
    }

    private void drainSafely() {
        try {
            PendingEvent e;
            while ((e = queue.poll()) != null) {
                add(e);
            }
            flush();
            transport.poll();
        } catch (RuntimeException e) {
            // a bug of ours must not end the thread: the queue would fill and every later event be dropped
            counters.failed.add(batch.events());
            batch.clear();
            failures.warn("sender problem: " + e);
        }
    }

    private void add(PendingEvent e) {
        encode(e);
        if (batch.size() > maxMessageBytes && batch.events() > 1) {
            batch.removeLast();
            flush();
            encode(e);
        }
        if (batch.size() > maxMessageBytes) {
            batch.clear();
            counters.failed.increment();
            failures.warn("an event of " + e.series().service + " does not fit in " + maxMessageBytes
                    + " bytes; not sent");
        }
    }

    private void encode(PendingEvent e) {
        batch.event(e.timeMicros(), hostname, e.series().service, null, null, e.metric(), null, null,
                e.series().tags);
    }

    private void flush() {
        if (batch.events() > 0) {
            int events = batch.events();
            byte[] msg = batch.toBytes();
            batch.clear();
            transport.send(msg, events);
        }
    }

    static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}
