package dev.riffle.ingest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * {@link StreamHandler}, up to a configured number of connections (more are refused, never queued).
 * A slow client holds only its own thread.
 */
final class TcpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

    private final String protocol;
    private final ServerSocket server;
    private final StreamHandler handler;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final ArrivalClock clock;

    TcpListener(String protocol, InetSocketAddress address, int maxConnections, StreamHandler handler,
                ArrivalClock clock) throws IOException {
        this.protocol = protocol;
        this.clock = clock;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 128);
        this.handler = handler;
        String threadName = "riffle-tcp-" + protocol.replace(' ', '-') + "-";
        AtomicInteger n = new AtomicInteger();
        this.connections = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, threadName + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, threadName + "accept");
        acceptor.setDaemon(true);
    }

    int port() {
        return server.getLocalPort();
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
            try {
                open.add(socket);
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException full) {
                log.warn("refusing {} TCP connection from {}: too many connections", protocol,
                        socket.getRemoteSocketAddress());
                open.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        String client = String.valueOf(socket.getRemoteSocketAddress());
        try (socket;
             ArrivalClock.Lane lane = clock.lane();
             InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
             OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024)) {
            socket.setTcpNoDelay(true);
            handler.serve(in, out, client, lane);
        } catch (IOException e) {
            log.debug("{} TCP connection {} ended: {}", protocol, client, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
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
