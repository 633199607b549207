package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(err, true), args);
        assertEquals(expectedExit, rc, err.toString());
        return err.toString();
    }

    @Test
    void badValueInConfigFileExitsTwoNamingTheKey() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, "riemann_port: lots\n");
        String err = run(2, "topology", "--config", file.toString());
        assertTrue(err.contains("riemann_port") && err.contains("an integer from 0 to 65535"), err);
    }

    @Test
    void unknownKeyInConfigFileExitsTwo() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, "graphite: 127.0.0.1:2003\ngrahpite_port: 1\n");
        String err = run(2, "run", "--config", file.toString());
        assertTrue(err.contains("unknown key 'grahpite_port'"), err);
    }

    @Test
    void unknownOptionExitsTwo() {
        String err = run(2, "send", "--service", "x", "--bogus");
        assertTrue(err.contains("--bogus"), err);
    }

    @Test
    void malformedBridgeAddressExitsTwo() {
        String err = run(2, "send", "--service", "x", "--to", "nohost");
        assertTrue(err.contains("--to") && err.contains("host:port"), err);
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"run", "bridge", "streams", "sink", "send", "topology"}) {
            StringWriter out = new StringWriter();
            picocli.CommandLine cli = new picocli.CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            assertEquals(0, cli.execute(cmd, "--help"), cmd);
            assertTrue(out.toString().contains("Usage: riffle " + cmd), out.toString());
        }
    }

    /** A config for `riffle run` that can only clash where a test puts something in its way. */
    private Path runConfig(Map<String, Object> overrides) throws Exception {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data_dir", dir.resolve("data"));
        settings.put("graphite", "none");
        settings.put("status_interval_seconds", 0);
        // http_port 0: no graphs page, so that a busy 8080 on the machine cannot change what these tests see
        for (String port : List.of("kafka.port", "riemann_port", "statsd_port", "json_port", "http_port")) {
            settings.put(port, 0);
        }
        settings.putAll(overrides);
        Path file = dir.resolve("run.yml");
        StringBuilder yaml = new StringBuilder();
        settings.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(file, yaml);
        return file;
    }

    /** Fails fast with one line naming the port and the setting, before any broker started (no stack trace). */
    private String cannotStart(String command, Path config) {
        String err = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(1, command, "--config",
                config.toString()));
        assertTrue(err.startsWith("riffle: cannot start: ") && err.strip().lines().count() == 1, err);
        assertFalse(Files.exists(dir.resolve("data").resolve("kafka")), "no broker was started");
        return err;
    }

    @Test
    void ingestPortInUseStopsRunBeforeAnythingStarts() throws Exception {
        try (ServerSocket riemann = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket statsd = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            String err = cannotStart("run", runConfig(Map.of(
                    "riemann_port", riemann.getLocalPort(), "statsd_port", statsd.getLocalPort())));
            assertTrue(err.contains("riemann TCP port " + riemann.getLocalPort() + " on 127.0.0.1 is in use")
                    && err.contains("RIFFLE_RIEMANN_PORT"), err);
            err = cannotStart("bridge", runConfig(Map.of(
                    "kafka.bootstrap", "127.0.0.1:1", "statsd_port", statsd.getLocalPort())));
            assertTrue(err.contains("statsd UDP port " + statsd.getLocalPort()) && err.contains("RIFFLE_STATSD_PORT"),
                    err);
        }
    }

    @Test
    void graphsPortInUseStopsRunBeforeAnythingStarts() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String err = cannotStart("run", runConfig(Map.of("http_port", http.getLocalPort())));
            assertTrue(err.contains("graphs page's port " + http.getLocalPort()) && err.contains("RIFFLE_HTTP_PORT"),
                    err);
        }
    }

    @Test
    void kafkaPortInUseStopsRunWithWhatToDoInstead() throws Exception {
        try (ServerSocket otherKafka = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String err = cannotStart("run", runConfig(Map.of("kafka.port", otherKafka.getLocalPort())));
            assertTrue(err.contains("port " + otherKafka.getLocalPort() + " on 127.0.0.1 for the in-process Kafka is "
                    + "in use") && err.contains("RIFFLE_KAFKA_PORT") && err.contains("RIFFLE_KAFKA_BOOTSTRAP"), err);
        }
    }

    @Test
    void sendFailsWhenNothingAcknowledges() throws Exception {
        int freePort;
        try (var s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        run(1, "send", "--service", "x", "--to", "127.0.0.1:" + freePort);
    }
}
