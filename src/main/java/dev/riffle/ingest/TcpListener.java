package dev.riffle.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP port: accepts connections and serves each on its own thread with the protocol's
 * {@link StreamHandler}, up to a configured number of connections, each charging its buffers to the memory
 * budget. More are refused at once, never queued, and counted ({@code closed connection-limit}); the log
 * says so at most once per 10 s, with the count. A slow client holds only its own thread; an idle one is closed
 * after {@code ingest.tcp_idle_timeout_ms}, a too slow one by the rate rule of {@link TcpConnection}.
 *
 * <p>One thread per connection (with a small stack, {@link #STACK_BYTES}) rather than a selector: the handlers stay
 * plain blocking code, and the thread stacks live outside the heap (1,024 idle connections cost about 1,024 x a
 * few pages of stack in RSS, not the reserved size).
 */
final class TcpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);
    /** Decoders here are not recursive; a small stack keeps many connections cheap. */
    static final long STACK_BYTES = 512 * 1024;

    private final String protocol;
    private final ServerSocket server;
    private final StreamHandler handler;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final int maxConnections;
    private final MemoryBudget budget;
    private final IngestCounters counters;
    private final long idleTimeoutMillis;
    private final long minBytesPerSecond;
    private final ArrivalClock clock;

    TcpListener(String protocol, InetSocketAddress address, int maxConnections, StreamHandler handler,
                MemoryBudget budget, IngestCounters counters, long idleTimeoutMillis, long minBytesPerSecond,
                ArrivalClock clock) throws IOException {
        this.protocol = protocol;
        this.clock = clock;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 128);
        this.handler = handler;
        this.maxConnections = maxConnections;
        this.budget = budget;
        this.counters = counters;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.minBytesPerSecond = minBytesPerSecond;
        String threadName = "riffle-tcp-" + protocol.replace(' ', '-') + "-";
        AtomicInteger n = new AtomicInteger();
        this.connections = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(null, r, threadName + n.incrementAndGet(), STACK_BYTES);
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, threadName + "accept");
        acceptor.setDaemon(true);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections being served now. */
    int openConnections() {
        return open.size();
    }

    void start() {
        acceptor.start();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("{} TCP accept failed: {}", protocol, e.toString());
                }
                continue;
            }
            if (open.size() >= maxConnections) {
                refuse(socket, "over " + maxConnections + " connections");
                continue;
            }
            budget.force(MemoryBudget.Use.BUFFERS, handler.connectionBytes());
            try {
                open.add(socket);
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException full) {
                open.remove(socket);
                budget.release(MemoryBudget.Use.BUFFERS, handler.connectionBytes());
                refuse(socket, "over " + maxConnections + " connections");
            }
        }
    }

    private void refuse(Socket socket, String why) {
        counters.reject(IngestCounters.Reason.CONNECTION_LIMIT, "refused " + protocol + " TCP connection from "
                + socket.getRemoteSocketAddress() + ": " + why);
        try {
            socket.setSoLinger(true, 0); // a reset frees the slot at once, no TIME_WAIT on our side
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(socket);
    }

    private void serve(Socket socket) {
        String client = String.valueOf(socket.getRemoteSocketAddress());
        try (socket; ArrivalClock.Lane lane = clock.streamLane()) {
            socket.setTcpNoDelay(true);
            TcpConnection connection = new TcpConnection(socket, 1024, idleTimeoutMillis, minBytesPerSecond, lane);
            try {
                handler.serve(connection);
            } finally {
                connection.out().flush();
            }
        } catch (TcpConnection.Closed e) {
            counters.reject(e.reason, protocol + " TCP connection closed: " + e.getMessage());
        } catch (IOException e) {
            log.debug("{} TCP connection {} ended: {}", protocol, client, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
            budget.release(MemoryBudget.Use.BUFFERS, handler.connectionBytes());
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a refused connection; nothing to do
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(TcpListener::closeQuietly);
        connections.shutdownNow();
        try {
            acceptor.join(5_000);
            connections.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
