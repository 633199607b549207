package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.riffle.config.Config;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.ConfigKey;
import dev.riffle.config.HostPort;
import dev.riffle.core.Event;
import dev.riffle.core.Point;
import dev.riffle.demo.DemoEvents;
import dev.riffle.graph.GraphiteQuery;
import dev.riffle.graph.RecentStore;
import dev.riffle.graph.TimeSeries;
import dev.riffle.http.HealthServer;
import dev.riffle.http.HttpKeys;
import dev.riffle.http.PipelineStatus;
import dev.riffle.ingest.BridgeSelfEvents;
import dev.riffle.ingest.IngestKeys;
import dev.riffle.sink.SinkKeys;
import dev.riffle.sink.SinkSelfLines;
import dev.riffle.topology.TopologyRun;
import dev.riffle.topology.TopologyRun.Arrival;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * No Docker engine runs here, so this proves what can be proved about docker-compose.yml without one: it parses
 * as compose reads it (YAML 1.1, merge keys); its Riffle services run real commands with RIFFLE_* variables that
 * are real config keys with valid values; the ports, host names and mounted files agree with Riffle's config, the
 * Dockerfile, the README's Graphite setup and the Grafana provisioning; and every series the dashboard draws is a
 * path that Riffle really writes, checked against the points of the demo site sent through the real client and
 * the real topology, plus the bridge's and the sink's own figures.
 */
class ComposeTest {
    private static final Logger log = LoggerFactory.getLogger(ComposeTest.class);
    private static final Set<String> RIFFLE_SERVICES = Set.of("bridge", "streams", "sink", "demo");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> services;

    @BeforeAll
    static void parse() throws Exception {
        Object compose = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(Path.of("docker-compose.yml")));
        services = map(map(compose).get("services"));
    }

    @Test
    void composeHasTheWholeStack() {
        assertEquals(Set.of("kafka", "bridge", "streams", "sink", "demo", "graphite", "grafana"), services.keySet());
        for (String name : RIFFLE_SERVICES) {
            assertEquals(".", service(name).get("build"), name + " builds Riffle from this repository");
        }
        assertEquals(List.of("demo"), service("demo").get("profiles"), "the demo plays only when asked for");
        for (String name : services.keySet()) {
            if (service(name).containsKey("volumes")) {
                mounts(name); // every file or folder mounted from the repository exists
            }
        }
        assertTrue(Files.isRegularFile(Path.of("Dockerfile")), "build: . needs the Dockerfile");
    }

    @Test
    void riffleServicesRunRealCommands() throws Exception {
        Set<String> commands = new CommandLine(new Main()).getSubcommands().keySet();
        for (String name : RIFFLE_SERVICES) {
            List<?> command = (List<?>) service(name).get("command");
            assertTrue(commands.contains(command.get(0).toString()), name + ": " + command + " not in " + commands);
        }
        assertEquals(List.of("bridge"), service("bridge").get("command"));
        assertEquals(List.of("streams"), service("streams").get("command"));
        assertEquals(List.of("sink"), service("sink").get("command"));
        // the image runs the jar the build makes
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertTrue(finalName.find());
        assertTrue(dockerfile.contains("COPY --from=build /src/target/" + finalName.group(1) + ".jar /opt/riffle/riffle.jar"),
                "Dockerfile copies the shaded jar");
        assertTrue(dockerfile.contains("-jar /opt/riffle/riffle.jar"), "and runs it");
        assertTrue(dockerfile.contains("RUN mvn -B -ntp -q -DskipTests package"), "built by Maven in the image");
    }

    @Test
    void everyRiffleVariableIsAConfigKeyWithAValidValue() throws Exception {
        Set<String> known = Settings.ALL_KEYS.stream().map(ConfigKey::envName).collect(Collectors.toSet());
        Map<String, String> image = dockerfileEnv();
        assertEquals("0.0.0.0", image.get(CommonKeys.BIND.envName()), "the image's bridge listens on all interfaces");
        int checked = 0;
        for (String name : RIFFLE_SERVICES) {
            Map<String, String> env = new LinkedHashMap<>(image);
            env.putAll(environment(name));
            for (String variable : env.keySet()) {
                assertTrue(variable.startsWith("RIFFLE_"), name + ": " + variable + " is not Riffle's");
                assertTrue(known.contains(variable) || variable.equals("RIFFLE_JAVA_OPTS"),
                        name + ": " + variable + " is no config key (nor the JVM options)");
                checked++;
            }
            Config.load(null, env, Settings.ALL_KEYS); // throws on a bad value
        }
        assertTrue(checked >= 10, "variables checked: " + checked);
        for (String name : List.of("bridge", "streams", "sink")) {
            assertEquals("kafka:9092", environment(name).get("RIFFLE_KAFKA_BOOTSTRAP"), name);
        }
        Map<String, String> kafka = environment("kafka");
        assertTrue(kafka.get("KAFKA_ADVERTISED_LISTENERS").contains("PLAINTEXT://kafka:9092"), "kafka:9092 is advertised");
        assertTrue(kafka.get("KAFKA_PROCESS_ROLES").contains("controller"), "KRaft: the broker is its own controller");
    }

    @Test
    void kafkaIsTheReleaseOfTheClientJars() throws Exception {
        String image = service("kafka").get("image").toString();
        Matcher m = Pattern.compile("apache/kafka:(\\d+)\\.(\\d+)\\.\\d+").matcher(image);
        assertTrue(m.matches(), image);
        Properties jar = new Properties();
        try (InputStream in = ComposeTest.class.getClassLoader().getResourceAsStream("kafka/kafka-version.properties")) {
            assertNotNull(in, "kafka-clients' version resource");
            jar.load(in);
        }
        String version = jar.getProperty("version");
        String[] client = version.split("\\.");
        assertEquals(client[0] + "." + client[1], m.group(1) + "." + m.group(2),
                "broker " + image + " vs kafka-clients " + version);
    }

    @Test
    void theBridgeIsReachableOnEveryIngestPort() throws Exception {
        Config config = Config.defaults(Settings.ALL_KEYS);
        Set<String> expected = Set.of(config.get(IngestKeys.RIEMANN_PORT) + "/tcp",
                config.get(IngestKeys.RIEMANN_PORT) + "/udp", config.get(IngestKeys.STATSD_PORT) + "/udp",
                config.get(IngestKeys.JSON_PORT) + "/tcp");
        Set<String> published = new TreeSet<>();
        for (Object port : (List<?>) service("bridge").get("ports")) {
            String[] parts = port.toString().split(":");
            assertEquals(2, parts.length, "host:container/protocol, on every interface: " + port);
            assertEquals(parts[0], parts[1].replaceAll("/.*", ""), "the same port outside: " + port);
            published.add(parts[1]);
        }
        assertEquals(expected, published);
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
        assertTrue(expose.find());
        assertEquals(expected, Set.of(expose.group(1).trim().split("\\s+")), "the image exposes the same");
    }

    @Test
    void streamsScaleWithEachReplicaInItsOwnStateDir() {
        Map<String, Object> streams = service("streams");
        assertFalse(streams.containsKey("ports"), "a published port would clash at --scale streams=N");
        assertFalse(streams.containsKey("container_name"), "a fixed name would clash at --scale streams=N");
        assertFalse(streams.containsKey("volumes"), "a shared volume would give the replicas one state dir");
        assertTrue(environment("streams").get("RIFFLE_DATA_DIR").startsWith("/"), "a dir inside the container");
        assertTrue(environment("sink").containsKey(SinkKeys.INSTANCE.envName()), "the sink's name survives restarts");
        assertTrue(environment("bridge").containsKey(IngestKeys.BRIDGE_ID.envName()), "so does the bridge's");
    }

    @Test
    void graphiteGetsTheFilesTheReadmeShows() throws Exception {
        Map<String, String> mounts = mounts("graphite");
        assertEquals("deploy/graphite/storage-schemas.conf", mounts.get("/opt/graphite/conf/storage-schemas.conf"));
        assertEquals("deploy/graphite/storage-aggregation.conf", mounts.get("/opt/graphite/conf/storage-aggregation.conf"));
        assertEquals("deploy/graphite/carbon.conf", mounts.get("/opt/graphite/conf/carbon.conf"));

        List<List<String>> blocks = readmeBlocks("Graphite setup");
        List<String> schemas = block(blocks, "[riffle]");
        assertEquals(schemas, settings(Path.of("deploy/graphite/storage-schemas.conf")));
        assertTrue(schemas.contains("retentions = 5s:1d,1m:7d,10m:5y"), schemas.toString());
        assertEquals(block(blocks, "[percentiles-high]"), settings(Path.of("deploy/graphite/storage-aggregation.conf")));

        List<String> carbon = settings(Path.of("deploy/graphite/carbon.conf"));
        assertEquals("[cache]", carbon.get(0));
        List<String> throttles = blocks.stream().filter(b -> b.get(0).startsWith("MAX_CREATES_PER_MINUTE"))
                .findFirst().orElseThrow();
        for (String line : throttles) {
            String setting = line.replaceAll("\\s*#.*", "").replaceAll("\\s+=\\s+", " = ");
            assertTrue(carbon.contains(setting), "carbon.conf lacks the README's " + setting);
        }
        // the sink writes to that carbon's plaintext port
        HostPort graphite = HostPort.parse(environment("sink").get(SinkKeys.GRAPHITE.envName()));
        assertTrue(services.containsKey(graphite.host()), graphite.toString());
        assertTrue(carbon.contains("LINE_RECEIVER_PORT = " + graphite.port()), carbon.toString());
    }

    @Test
    void grafanaIsProvisionedWithGraphiteAndTheDashboard() throws Exception {
        Map<String, String> mounts = mounts("grafana");
        // the two folders Riffle provisions, not the whole provisioning folder (that would hide plugins/ and
        // alerting/ of the image, and Grafana logs an error for each at every start)
        assertFalse(mounts.containsKey("/etc/grafana/provisioning"), mounts.toString());
        assertEquals("deploy/grafana/provisioning/datasources", mounts.get("/etc/grafana/provisioning/datasources"));
        assertEquals("deploy/grafana/provisioning/dashboards", mounts.get("/etc/grafana/provisioning/dashboards"));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode sources = yaml.readTree(Path.of("deploy/grafana/provisioning/datasources/graphite.yaml").toFile())
                .get("datasources");
        JsonNode source = sources.get(0);
        assertTrue(source.get("isDefault").asBoolean(), "the first data source is the default one");
        assertEquals("http://sink:8080", source.get("url").asText(), "Grafana reads Riffle's own Graphite API");
        assertEquals("true", environment("sink").get(HttpKeys.HTTP_IN_SINK.envName()));
        assertEquals("0.0.0.0", environment("sink").get(HttpKeys.HTTP_BIND.envName()), "reachable from Grafana");
        assertEquals(Config.defaults(Settings.ALL_KEYS).get(HttpKeys.HTTP_PORT), 8080);
        assertEquals("http://graphite:80", sources.get(1).get("url").asText(), "and carbon's history");
        assertEquals("graphite", source.get("type").asText());
        String url = source.get("url").asText();
        Matcher m = Pattern.compile("http://([^:/]+):(\\d+)").matcher(url);
        assertTrue(m.matches(), url);
        assertTrue(services.containsKey(m.group(1)), url);
        assertTrue(((List<?>) service(m.group(1)).get("ports")).stream().anyMatch(p -> p.toString().endsWith(":" + m.group(2))),
                "graphite-web listens on " + m.group(2));
        JsonNode provider = yaml.readTree(Path.of("deploy/grafana/provisioning/dashboards/riffle.yaml").toFile())
                .get("providers").get(0);
        String path = provider.get("options").get("path").asText();
        assertEquals("deploy/grafana/dashboards", mounts.get(path), "the provider reads the mounted dashboards");

        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/dashboards/riffle.json").toFile());
        String uid = source.get("uid").asText();
        int panels = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            if (!panel.get("type").asText().equals("row")) {
                assertEquals(uid, panel.get("datasource").get("uid").asText(), panel.get("title").asText());
                panels++;
            }
        }
        assertTrue(panels >= 6, "panels: " + panels);
    }

    @Test
    void everyDashboardSeriesIsAPathRiffleWrites() throws Exception {
        long started = System.nanoTime();
        Set<String> paths = new TreeSet<>();
        realRunLines().forEach(l -> paths.add(l.split(" ")[0]));
        log.info("{} paths from the demo, the bridge and the sink in {} ms", paths.size(),
                (System.nanoTime() - started) / 1_000_000);

        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/dashboards/riffle.json").toFile());
        Map<String, List<String>> targets = new LinkedHashMap<>(); // target -> its series patterns
        List<String> annotations = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                targets.put(t.get("target").asText(), series(t.get("target").asText()));
            }
        }
        for (JsonNode a : dashboard.get("annotations").get("list")) {
            if (a.has("target")) {
                annotations.add(a.get("target").asText());
                targets.put(a.get("target").asText(), series(a.get("target").asText()));
            }
        }
        assertTrue(targets.size() >= 12, targets.keySet().toString());
        List<String> unmatched = new ArrayList<>();
        for (Map.Entry<String, List<String>> t : targets.entrySet()) {
            assertFalse(t.getValue().isEmpty(), "no series in " + t.getKey());
            for (String glob : t.getValue()) {
                Pattern p = glob(glob);
                if (paths.stream().noneMatch(path -> p.matcher(path).matches())) {
                    unmatched.add(glob + " (in " + t.getKey() + ")");
                }
            }
        }
        assertTrue(unmatched.isEmpty(), "dashboard series no real path matches: " + unmatched + "\npaths: " + paths);

        // and it shows what the issue asks for: each of these real paths is drawn by some panel
        List<String> panelGlobs = targets.entrySet().stream().filter(t -> !annotations.contains(t.getKey()))
                .flatMap(t -> t.getValue().stream()).toList();
        for (String path : List.of("production.web1.page-views.rate-per-second",
                "production.all-hosts.page-views.rate-per-second", "production.web2.render-time.value.99",
                "production.all-hosts.search-time.value.99", "production.db1.gauges.users",
                "riffle.bridge.events-received.rate-per-second", "riffle.raw-events-processed.rate-per-second",
                "riffle.late-events.rate-per-second", "riffle.clock-ahead-events.rate-per-second",
                "riffle.points-emitted.rate-per-second",
                "riffle.sink.sink.points-written", "riffle.sink.sink.lag")) {
            assertTrue(paths.contains(path), "the real run wrote no " + path + ": " + paths);
            assertTrue(panelGlobs.stream().anyMatch(g -> glob(g).matcher(path).matches()), "no panel shows " + path);
        }
        for (String path : List.of("production.web1.deploys.occurrences", "staging.stage-web1.deploys.occurrences")) {
            assertTrue(paths.contains(path), "the real run wrote no " + path);
            assertTrue(annotations.stream().flatMap(a -> series(a).stream()).anyMatch(g -> glob(g).matcher(path).matches()),
                    "no annotation marks " + path);
        }
    }

    /**
     * Graphite plaintext lines ({@code path value time}) of a real run: the demo site through the real topology
     * (with one late and one clock-ahead event), plus the bridge's and the sink's own figures.
     */
    private static List<String> realRunLines() throws Exception {
        List<Event> demo = DemoEvents.play(100, 42, Duration.ofSeconds(10)); // past the production deploy at 8 s
        List<Arrival> arrivals = new ArrayList<>(demo.stream().map(Arrival::onTime).toList());
        long now = demo.get(0).timeMillis();
        long last = demo.get(demo.size() - 1).timeMillis();
        BridgeSelfEvents.report(now * 1000, "riffle").forEach(e -> arrivals.add(Arrival.onTime(e)));
        // what a real site also sends, sooner or later: an event arriving after its window closed (late), and one
        // from a host whose clock is 10 s fast (clock ahead)
        Event early = demo.get(0);
        arrivals.add(new Arrival(last + 20_000, early));
        arrivals.add(new Arrival(last, Event.of((last + 10_000) * 1000, early.host(), early.service(), early.tags(),
                early.metric())));
        List<String> lines = new ArrayList<>(TopologyRun.lines(arrivals));
        lines.addAll(SinkSelfLines.window(environment("sink").get(SinkKeys.INSTANCE.envName()), now / 5000 * 5000));
        return lines;
    }

    /**
     * The dashboard uses only what Riffle's Graphite API answers: every panel and annotation target, evaluated by
     * Riffle's own parser and functions over the points of a real run, answers without an error, and every panel
     * draws at least one series.
     */
    @Test
    void everyDashboardTargetIsAnsweredByRiffle() throws Exception {
        RecentStore store = new RecentStore(64L << 20, 3600, 5);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (String line : realRunLines()) {
            String[] f = line.split(" ");
            long t = Long.parseLong(f[2]);
            store.accept(f[0], new Point(Double.parseDouble(f[1]), t));
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        GraphiteQuery query = new GraphiteQuery(store);
        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/dashboards/riffle.json").toFile());
        int answered = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode t : panel.path("targets")) {
                String target = t.get("target").asText();
                List<TimeSeries> series = query.render(List.of(target), min - 5, max + 5); // throws if not answered
                assertFalse(series.isEmpty(),
                        "panel " + panel.get("title").asText() + ": " + target + " draws nothing");
                answered++;
            }
        }
        for (JsonNode a : dashboard.get("annotations").get("list")) {
            if (a.has("target")) {
                query.render(List.of(a.get("target").asText()), min - 5, max + 5);
                answered++;
            }
        }
        assertTrue(answered >= 12, "targets answered: " + answered);
    }

    @Test
    void globsAndTargetsAreReadAsGraphiteReadsThem() {
        assertEquals(List.of("production.*.*.rate-per-second"),
                series("aliasByNode(exclude(production.*.*.rate-per-second, 'all-hosts'), 1, 2)"));
        assertEquals(List.of("riffle.sink.*.points-written"), series("aliasByNode(scale(riffle.sink.*.points-written, 0.2), 2)"));
        assertEquals(List.of("a.{b,c}.d", "e.f"), series("sumSeries(a.{b,c}.d, e.f)"));
        assertTrue(glob("production.*.x").matcher("production.web1.x").matches());
        assertFalse(glob("production.*.x").matcher("production.web1.y.x").matches(), "* is one node");
        assertTrue(glob("a.value.{5,99}").matcher("a.value.99").matches());
        assertFalse(glob("a.value.{5,99}").matcher("a.value.9").matches());
        assertFalse(glob("a.b-c").matcher("a.bxc").matches(), "literal characters are literal");
    }

    @Test
    void kafkaKeepsItsDataInTheVolume() {
        // the apache/kafka image (docker/resources/common-scripts/configure, KafkaDockerWrapper) writes
        // server.properties from the KAFKA_* variables alone when any is set: KAFKA_A_B -> a.b, KAFKA_A__B -> a_b
        Map<String, String> properties = new LinkedHashMap<>();
        environment("kafka").forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                String property = k.substring(6).toLowerCase().replace("_", ".").replace("...", "-")
                        .replace("..", "_");
                properties.put(property, v);
            }
        });
        String volume = null;
        for (Object v : (List<?>) service("kafka").get("volumes")) {
            if (v.toString().startsWith("kafka-data:")) {
                volume = v.toString().split(":")[1];
            }
        }
        assertEquals("/var/lib/kafka/data", volume);
        assertEquals(volume, properties.get("log.dirs"), "the broker writes where the volume is: " + properties);
        assertTrue(environment("kafka").get("CLUSTER_ID").matches("[A-Za-z0-9_-]{22}"),
                "a fixed KRaft cluster id (base64 of 16 bytes), so the formatted volume matches after an update");
        assertTrue(map(map(new Yaml(new SafeConstructor(new LoaderOptions())).load(readQuietly("docker-compose.yml")))
                .get("volumes")).containsKey("kafka-data"), "a named volume");
    }

    @Test
    void everyRiffleStageHasAHealthProbeThatRunsAsWritten() throws Exception {
        for (String name : List.of("bridge", "streams", "sink")) {
            Map<String, Object> check = map(service(name).get("healthcheck"));
            List<?> test = (List<?>) check.get("test");
            assertEquals(List.of("CMD", "curl", "-fsS", "-o", "/dev/null"), test.subList(0, 5), name + ": " + test);
            Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/healthz").matcher(test.get(5).toString());
            assertTrue(url.matches(), name + ": " + test);
            Map<String, String> env = environment(name);
            String port = env.containsKey(HttpKeys.HEALTH_PORT.envName()) ? env.get(HttpKeys.HEALTH_PORT.envName())
                    : "true".equals(env.get(HttpKeys.HTTP_IN_SINK.envName())) ? "8080" : null;
            assertEquals(port, url.group(1), name + " probes the port its /healthz is on");
            assertTrue(check.containsKey("start_period"), name + ": time for Kafka Streams to start");
        }
        Map<String, Object> demoDeps = map(service("demo").get("depends_on"));
        assertEquals("service_healthy", map(demoDeps.get("bridge")).get("condition"), "the demo waits for the bridge");

        // the probe command itself, run here against a real health endpoint: exit 0 on 200, not 0 on 503
        List<String> command = new ArrayList<>(((List<?>) map(service("bridge").get("healthcheck")).get("test"))
                .stream().map(Object::toString).toList().subList(1, 6));
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        command.set(4, command.get(4).replace(":8081/", ":" + free + "/"));
        AtomicBoolean running = new AtomicBoolean(true);
        HealthServer health = new HealthServer(Config.defaults(Settings.ALL_KEYS).with(HttpKeys.HEALTH_PORT, free),
                () -> new PipelineStatus(List.of(new PipelineStatus.StageStatus("bridge", running.get(), ""))));
        health.start();
        try {
            assertEquals(0, run(command), "healthy: " + command);
            running.set(false);
            assertTrue(run(command) != 0, "unhealthy: curl -f fails on the 503");
        } finally {
            health.close();
        }
        assertTrue(run(command) != 0, "nothing listening: the probe fails");
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), command.toString());
        return p.exitValue();
    }

    @Test
    void theImagePassesRiffleJavaOptsAndBoundsItsMemory() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT (\\[.*\\])$").matcher(dockerfile);
        assertTrue(entry.find(), "an exec-form ENTRYPOINT");
        List<String> entrypoint = new ArrayList<>();
        JSON.readTree(entry.group(1)).forEach(n -> entrypoint.add(n.asText()));
        // run it here as the container would, with a java that prints what it was given
        Path bin = Files.createTempDirectory("fake-java");
        Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        fakeJava.toFile().setExecutable(true);
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(List.of("sink", "--config", "/etc/riffle file.yaml"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("RIFFLE_JAVA_OPTS", "-Xmx300m -Dfoo=bar");
        Process p = pb.start();
        List<String> args = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(List.of("-XX:+ExitOnOutOfMemoryError", "-Xmx300m", "-Dfoo=bar", "-jar", "/opt/riffle/riffle.jar",
                "sink", "--config", "/etc/riffle file.yaml"), args, "RIFFLE_JAVA_OPTS and the arguments reach java");
        assertEquals("-XX:MaxRAMPercentage=66", dockerfileEnv().get("RIFFLE_JAVA_OPTS"), "the heap follows the limit");
        for (String name : List.of("bridge", "streams", "sink")) {
            assertEquals("1536m", String.valueOf(service(name).get("mem_limit")), name + " has a memory bound");
        }
        assertTrue(Files.readAllLines(Path.of(".dockerignore")).contains("stack"), "scripts/stack's data stays out");
    }

    private static String readQuietly(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- reading the files ---

    /** The series patterns of a Graphite target: every argument that is neither a function, string nor number. */
    static List<String> series(String target) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < target.length()) {
            char c = target.charAt(i);
            if (c == '\'' || c == '"') {
                int end = target.indexOf(c, i + 1);
                assertTrue(end > 0, "unclosed string in " + target);
                i = end + 1;
            } else if (c == '(' || c == ')' || c == ',' || Character.isWhitespace(c)) {
                i++;
            } else {
                int start = i;
                int braces = 0;
                while (i < target.length()) {
                    char d = target.charAt(i);
                    if (d == '{') {
                        braces++;
                    } else if (d == '}') {
                        braces--;
                    } else if (braces == 0 && (d == '(' || d == ')' || d == ',' || Character.isWhitespace(d))) {
                        break;
                    }
                    i++;
                }
                String token = target.substring(start, i);
                int next = i;
                while (next < target.length() && Character.isWhitespace(target.charAt(next))) {
                    next++;
                }
                boolean function = next < target.length() && target.charAt(next) == '(';
                if (!function && !token.matches("-?\\d+(\\.\\d+)?") && !token.matches("true|false")) {
                    out.add(token);
                }
            }
        }
        return out;
    }

    /** A Graphite glob as a regex over whole paths: {@code *} and {@code ?} stay within a node, {@code {a,b}}. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append("[^.]*");
                case '?' -> re.append("[^.]");
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    braces--;
                    re.append(')');
                }
                case ',' -> re.append(braces > 0 ? "|" : Pattern.quote(","));
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** The indented code blocks of a README section, unindented, blank lines inside kept. */
    static List<List<String>> readmeBlocks(String section) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int from = lines.indexOf("## " + section);
        assertTrue(from >= 0, "README has no section " + section);
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : lines.subList(from + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("    ")) {
                if (current == null) {
                    current = new ArrayList<>();
                    blocks.add(current);
                }
                current.add(line.substring(4));
            } else if (line.isBlank() && current != null) {
                current.add("");
            } else {
                current = null;
            }
        }
        blocks.forEach(b -> {
            while (b.get(b.size() - 1).isEmpty()) {
                b.remove(b.size() - 1);
            }
        });
        return blocks;
    }

    private static List<String> block(List<List<String>> blocks, String firstLine) {
        return blocks.stream().filter(b -> b.get(0).equals(firstLine)).findFirst()
                .orElseThrow(() -> new AssertionError("README Graphite setup shows no block starting " + firstLine));
    }

    /** A config file's lines without its comment lines and without blank lines at either end. */
    private static List<String> settings(Path file) throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(file).stream().filter(l -> !l.startsWith("#")).toList());
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /** ENV of the Dockerfile's last stage. */
    private static Map<String, String> dockerfileEnv() throws Exception {
        String text = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
        String last = text.substring(text.lastIndexOf("\nFROM "));
        Map<String, String> env = new HashMap<>();
        for (String line : last.lines().filter(l -> l.startsWith("ENV ")).toList()) {
            for (String pair : line.substring(4).trim().split("\\s+")) {
                String[] kv = pair.split("=", 2);
                assertEquals(2, kv.length, "ENV key=value: " + line);
                env.put(kv[0], kv[1]);
            }
        }
        return env;
    }

    /** container path -> repository path of a service's bind mounts (each must exist in the repository). */
    private static Map<String, String> mounts(String name) {
        Map<String, String> out = new HashMap<>();
        for (Object volume : (List<?>) service(name).get("volumes")) {
            String[] parts = volume.toString().split(":");
            if (parts[0].startsWith("./")) {
                String source = parts[0].substring(2);
                assertTrue(Files.exists(Path.of(source)), name + " mounts a missing " + source);
                out.put(parts[1], source);
            }
        }
        return out;
    }

    private static Map<String, String> environment(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service(name).get("environment");
        if (raw != null) {
            map(raw).forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        return env;
    }

    private static Map<String, Object> service(String name) {
        Object s = services.get(name);
        assertNotNull(s, "no service " + name);
        return map(s);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "expected a mapping: " + o);
        return (Map<String, Object>) o;
    }
}
