package dev.riffle.kafka;

import dev.riffle.core.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, for {@code riffle run}
 * and for tests. The log directory is kept across restarts, so events survive a restart of {@code riffle run}.
 *
 * <p>Kafka's own classes are internal API; this class is the only place that touches them.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private int saslPort = -1;
    private String saslUser;
    private String saslPassword;
    private KafkaRaftServer server;

    /**
     * @param dir  where the broker keeps its log and its cluster id; created when missing
     * @param port the client port on 127.0.0.1, or 0 for any free port
     */
    public EmbeddedKafka(Path dir, int port) {
        this.dir = dir;
        this.port = port == 0 ? freePort() : port;
        this.controllerPort = freePort();
    }

    /**
     * Adds a SASL_PLAINTEXT listener (mechanism PLAIN, one user) beside the plain one, on 127.0.0.1: for tests of
     * Riffle against a secured Kafka. Call before {@link #start}.
     */
    public synchronized EmbeddedKafka withSaslPlain(String user, String password) {
        this.saslPort = freePort();
        this.saslUser = user;
        this.saslPassword = password;
        return this;
    }

    /** The SASL_PLAINTEXT listener's address (see {@link #withSaslPlain}). */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    public synchronized EmbeddedKafka start() {
        // A fatal broker error calls Exit.halt, which would kill the whole embedding JVM (the bridge and sink
        // with it). Log it instead; the stages then see the broker as unreachable and wait.
        Exit.setHaltProcedure((code, message) -> log.error("embedded Kafka wanted to halt ({}): {}", code, message));
        Exit.setExitProcedure((code, message) -> log.error("embedded Kafka wanted to exit ({}): {}", code, message));
        try {
            Path logDir = dir.resolve("log");
            // checked first: Kafka finds both itself, but only after logging pages of stack traces
            refuseIfInUse(port);
            refuseIfLocked(logDir);
            Files.createDirectories(dir);
            Properties props = serverProperties(logDir);
            Path propsFile = dir.resolve("server.properties");
            try (var out = Files.newOutputStream(propsFile)) {
                props.store(out, "written by Riffle for the in-process broker; rewritten at each start");
            }
            format(propsFile);
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            log.info("in-process Kafka listening on {}", bootstrapServers());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data dir " + dir, e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    private Properties serverProperties(Path logDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // one node: every internal topic must be satisfied by a single replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // after a crash the restarted broker is only let in once its previous incarnation's session has expired
        // (9 s by default); its heartbeats never leave this process, so a shorter session is safe
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("broker.session.timeout.ms", "4000");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "6");
        // the log cleaner's key map is allocated on the heap at start: 128 MiB by default, an eighth of riffle run's
        // heap, for compacting a few changelogs; 16 MiB holds about 700,000 keys per cleaning pass
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        if (saslPort > 0) {
            p.put("listeners", p.get("listeners") + ",SASL://127.0.0.1:" + saslPort);
            p.put("advertised.listeners", p.get("advertised.listeners") + ",SASL://127.0.0.1:" + saslPort);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL:SASL_PLAINTEXT");
            p.put("sasl.enabled.mechanisms", "PLAIN");
            p.put("listener.name.sasl.plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                    + " required user_" + saslUser + "=\"" + saslPassword + "\";");
        }
        return p;
    }

    private void format(Path propsFile) throws IOException {
        Path idFile = dir.resolve("cluster.id");
        if (!Files.exists(idFile)) {
            Files.writeString(idFile, Uuid.randomUuid().toString());
        }
        String clusterId = Files.readString(idFile).trim();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {
            "format", "-t", clusterId, "-c", propsFile.toString(), "--ignore-formatted"},
            new PrintStream(output, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting the Kafka log dir failed: " + output);
        }
    }

    /** Kafka holds {@code .lock} in its log dir while it runs; another process holding it means another broker. */
    private static void refuseIfLocked(Path logDir) throws IOException {
        Path lockFile = logDir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw inUse(logDir);
            }
        } catch (OverlappingFileLockException sameJvm) {
            throw inUse(logDir);
        }
    }

    private static StartupException inUse(Path logDir) {
        return new StartupException("the in-process Kafka's data directory " + logDir.toAbsolutePath()
                + " is in use by another process (a second riffle on the same data dir?)");
    }

    private static void refuseIfInUse(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as Kafka binds: a port in TIME_WAIT is free
            probe.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new StartupException("port " + port + " on 127.0.0.1 for the in-process Kafka is in use "
                    + "(another Kafka?)");
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
