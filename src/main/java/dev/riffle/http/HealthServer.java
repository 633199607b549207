package dev.riffle.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.riffle.config.Config;
import dev.riffle.core.Stage;
import dev.riffle.core.StartupException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /healthz} alone on {@code health_port}, for a process that serves no graphs page (a bridge, a streams
 * replica, a sink, the alert stage): what a container's health probe or a load balancer asks. 200 with
 * {@code ok} and each stage when every stage of the process runs, else 503 naming the one that does not; any other
 * path is a 404. One worker thread and a bounded queue: a probe storm cannot take more.
 */
public final class HealthServer implements Stage {
    private static final Logger log = LoggerFactory.getLogger(HealthServer.class);
    private final LongAdder failures = new LongAdder();
    /** System.nanoTime() of the last failure logged, 0 for none; the handler runs on one worker thread */
    private long lastFailureLog;

    private final String bind;
    private final int port;
    private final Supplier<PipelineStatus> status;
    private final LongAdder probes = new LongAdder();
    private final LongAdder unhealthy = new LongAdder();
    private HttpServer server;
    private ThreadPoolExecutor worker;

    public HealthServer(Config config, Supplier<PipelineStatus> status) {
        this.bind = config.get(HttpKeys.HTTP_BIND);
        this.port = config.get(HttpKeys.HEALTH_PORT);
        this.status = status;
    }

    /** Whether health_port asks for one. */
    public static boolean configured(Config config) {
        return config.get(HttpKeys.HEALTH_PORT) > 0;
    }

    /** Before anything starts: the port must be free (0 = off, nothing to check). */
    public static void checkPortFree(Config config) {
        if (!configured(config)) {
            return;
        }
        String bind = config.get(HttpKeys.HTTP_BIND);
        int port = config.get(HttpKeys.HEALTH_PORT);
        if (!portFree(bind, port)) {
            throw new StartupException("the health port " + port + " on " + bind + " is in use; free it or set "
                    + HttpKeys.HEALTH_PORT.name() + " (" + HttpKeys.HEALTH_PORT.envName() + "), 0 for none");
        }
    }

    /** Whether the port can be listened on, as HttpServer binds (a port in TIME_WAIT is free). */
    static boolean portFree(String bind, int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(bind, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "health";
    }

    @Override
    public void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new StartupException("the health endpoint cannot listen on " + bind + ":" + port + " (" + e
                    + "); set " + HttpKeys.HEALTH_PORT.envName() + " to a free port, or 0 for none");
        }
        worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16), r -> {
            Thread t = new Thread(r, "riffle-health");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy()); // a dropped probe times out: the prober counts a failure
        server.setExecutor(worker);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The port listened on (the configured one). */
    public int port() {
        return server == null ? port : server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            probes.increment();
            String path = ex.getRequestURI().getPath();
            if (!path.equals("/healthz") && !path.equals("/healthz/")) {
                send(ex, 404, "not found: " + path + " (only /healthz here)\n");
                return;
            }
            PipelineStatus s;
            try {
                s = status.get();
            } catch (RuntimeException e) {
                send(ex, 500, "status failed: " + statusFailed(e) + "\n"); // a failure the prober counts
                return;
            }
            if (!s.healthy()) {
                unhealthy.increment();
            }
            send(ex, s.healthy() ? 200 : 503, s.report());
        } catch (IOException e) {
            // the prober went away; it will ask again
        }
    }

    /** Counts a failure to read the stages' status and logs it, at most once a minute; returns what to answer. */
    private String statusFailed(RuntimeException e) {
        failures.increment();
        long now = System.nanoTime();
        if (lastFailureLog == 0 || now - lastFailureLog > TimeUnit.MINUTES.toNanos(1)) {
            lastFailureLog = now;
            log.warn("health probe: reading the stages' status failed ({} so far)", failures.sum(), e);
        }
        return e.toString();
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public String status() {
        long failed = failures.sum();
        return "probes " + probes.sum() + ", unhealthy " + unhealthy.sum()
                + (failed > 0 ? ", status failures " + failed : "");
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (worker != null) {
            worker.shutdownNow();
        }
    }
}
