package dev.riffle.ingest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Riemann protobuf over TCP: each Msg framed by a 4-byte big-endian length; each answered, in order, with a
 * framed Msg{ok=true} once its events are with the Kafka producer, or Msg{ok=false, error} when refused.
 * One thread per connection, up to a configured number of connections.
 */
final class RiemannTcpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RiemannTcpServer.class);
    private static final byte[] OK = RiemannDecoder.reply(true, null);

    private final ServerSocket server;
    private final RiemannDecoder decoder;
    private final EventPublisher publisher;
    private final IngestCounters counters;
    private final int maxFrame;
    private final ExecutorService connections;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    RiemannTcpServer(InetSocketAddress address, int maxFrame, int maxConnections, RiemannDecoder decoder,
                     EventPublisher publisher, IngestCounters counters) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 128);
        this.decoder = decoder;
        this.publisher = publisher;
        this.counters = counters;
        this.maxFrame = maxFrame;
        AtomicInteger n = new AtomicInteger();
        this.connections = new ThreadPoolExecutor(0, maxConnections, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "riffle-riemann-tcp-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, "riffle-riemann-tcp-accept");
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
                    log.warn("TCP accept failed: {}", e.toString());
                }
                continue;
            }
            try {
                open.add(socket);
                connections.execute(() -> serve(socket));
            } catch (RuntimeException full) {
                log.warn("refusing TCP connection from {}: too many connections", socket.getRemoteSocketAddress());
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
             DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
            socket.setTcpNoDelay(true);
            byte[] buf = new byte[4096];
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException closed) {
                    break;
                }
                if (length < 0 || length > maxFrame) {
                    // the stream cannot be resynchronised after a bad length: answer, then hang up
                    counters.reject(IngestCounters.Reason.OVERSIZED_MESSAGE, "TCP frame of " + length + " bytes");
                    writeFrame(out, RiemannDecoder.reply(false, "message of " + length + " bytes is over the limit of "
                            + maxFrame));
                    out.flush();
                    break;
                }
                if (buf.length < length) {
                    buf = new byte[Math.max(length, buf.length * 2)];
                }
                in.readFully(buf, 0, length);
                writeFrame(out, handle(buf, length));
                if (in.available() == 0) {
                    out.flush(); // pipelined messages share one flush
                }
            }
        } catch (EOFException truncated) {
            counters.reject(IngestCounters.Reason.MALFORMED_MESSAGE, "TCP stream ended inside a frame");
        } catch (IOException e) {
            log.debug("TCP connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            open.remove(socket);
        }
    }

    private byte[] handle(byte[] buf, int length) {
        try {
            RiemannDecoder.Decoded msg = decoder.decode(buf, 0, length, System.currentTimeMillis() * 1000L);
            if (msg.query()) {
                counters.reject(IngestCounters.Reason.QUERY, "query over TCP");
                return RiemannDecoder.reply(false, "queries are not supported");
            }
            counters.received(msg.events().size());
            publisher.publish(msg.events());
            return OK;
        } catch (MalformedInputException e) {
            counters.reject(IngestCounters.Reason.MALFORMED_MESSAGE, "TCP message: " + e.getMessage());
            return RiemannDecoder.reply(false, "malformed message: " + e.getMessage());
        } catch (RuntimeException e) {
            counters.reject(IngestCounters.Reason.PUBLISH_FAILED, e.toString());
            return RiemannDecoder.reply(false, "cannot publish: " + e.getMessage());
        }
    }

    private static void writeFrame(DataOutputStream out, byte[] msg) throws IOException {
        out.writeInt(msg.length);
        out.write(msg);
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
        open.forEach(RiemannTcpServer::closeQuietly);
        connections.shutdownNow();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
