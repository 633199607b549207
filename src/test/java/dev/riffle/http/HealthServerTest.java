package dev.riffle.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.Config;
import dev.riffle.core.StartupException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code health_port}: the /healthz of a process without a graphs page, 200 or 503 as its stages run. */
class HealthServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void answersWhetherEveryStageRuns() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config config = Config.defaults(HttpKeys.ALL).with(HttpKeys.HEALTH_PORT, port);
        AtomicReference<PipelineStatus> status = new AtomicReference<>(new PipelineStatus(List.of(
                new PipelineStatus.StageStatus("streams", true, "running"))));
        HealthServer server = new HealthServer(config, status::get);
        server.start();
        try {
            HttpResponse<String> ok = get(port, "/healthz");
            assertEquals(200, ok.statusCode());
            assertEquals("ok\nstreams running\n", ok.body());
            status.set(new PipelineStatus(List.of(new PipelineStatus.StageStatus("streams", false, "ERROR"))));
            HttpResponse<String> down = get(port, "/healthz");
            assertEquals(503, down.statusCode());
            assertEquals("not ready\nstreams NOT running\n", down.body());
            assertEquals(404, get(port, "/render").statusCode(), "only /healthz here");
            assertTrue(server.status().contains("probes 3, unhealthy 1"), server.status());
            // a second process on the same port is stopped before it starts anything
            assertThrows(StartupException.class, () -> HealthServer.checkPortFree(config));
        } finally {
            server.close();
        }
        HealthServer.checkPortFree(config); // free again once closed
    }

    @Test
    void aFailingStatusIsA500AndCountedAndTheNextProbeIsAnswered() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Config config = Config.defaults(HttpKeys.ALL).with(HttpKeys.HEALTH_PORT, port);
        AtomicReference<PipelineStatus> status = new AtomicReference<>(null); // null: reading the status fails
        HealthServer server = new HealthServer(config, () -> {
            PipelineStatus s = status.get();
            if (s == null) {
                throw new IllegalStateException("status broken");
            }
            return s;
        });
        server.start();
        try {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> failed = get(port, "/healthz");
                assertEquals(500, failed.statusCode());
                assertTrue(failed.body().contains("status broken"), failed.body());
            }
            assertTrue(server.status().contains("status failures 3"), server.status());
            status.set(new PipelineStatus(List.of(new PipelineStatus.StageStatus("sink", true, "running"))));
            assertEquals(200, get(port, "/healthz").statusCode(), "the worker survived the failures");
        } finally {
            server.close();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
