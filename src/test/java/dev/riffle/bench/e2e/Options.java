package dev.riffle.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The benchmark's knobs, as {@code --name value} arguments; every one has a default (the default run). */
final class Options {
    static final String USAGE = String.join("\n",
            "usage: scripts/bench-e2e [--name value]...",
            "  --protocols udp,tcp,statsd   what drives riffle: Riemann UDP, Riemann TCP, statsd UDP",
            "  --series 10,1000,150000      series (hosts x services) per step",
            "  --rates 20000,60000          offered events per second per step",
            "  --seconds 8                  seconds of load per step",
            "  --tcp-batch 100              events per Riemann TCP Msg",
            "  --tcp-inflight 16            Msgs unanswered per connection, at most",
            "  --tcp-connections 1          Riemann TCP connections",
            "  --statsd-lines 1             statsd lines per datagram",
            "  --burst-runs 1               burst steps after the others (0: none): each run sends 2 s of Riemann UDP",
            "                               and statsd at each burst rate to the warm riffle, one datagram per event",
            "  --burst-rates 100000,150000  datagrams per second of the burst steps   --burst-seconds 2",
            "  --etsy true                  also run the statsd steps against Etsy statsd",
            "  --flush-ms 5000              Etsy statsd flushInterval",
            "  --carbon true                one more step into a real carbon-cache (checked with whisper-fetch)",
            "  --carbon-series 1000 --carbon-rate 5000 --carbon-sample 40",
            "  --riffle true                the riffle steps (false: only Etsy and/or carbon)",
            "  --riffle-java-opts -Xmx1g    RIFFLE_JAVA_OPTS of the riffle JVM (-Xlog:gc is added)",
            "  --riffle-env K=V,...         more RIFFLE_* settings for riffle run (e.g. RIFFLE_TOPOLOGY_THREADS=2)",
            "  --alert-rules 0              give riffle run N alert rules covering the fleet (0: no alert stage)",
            "  --budget-seconds 555         steps that would start after this are skipped (and listed)",
            "  --dump-lines 200000          Graphite lines written to OUT/raw/*-points.txt (with arrival millis)",
            "  --label NAME                 put NAME (e.g. smoke) in the file name and title",
            "  --out bench-results          where the .md and .svg go (logs in OUT/raw/)",
            "  --statsd-dir target/etsy-statsd/node_modules/statsd");

    List<Sender.Protocol> protocols = List.of(Sender.Protocol.UDP, Sender.Protocol.TCP, Sender.Protocol.STATSD);
    List<Integer> series = List.of(10, 1_000, 150_000);
    List<Long> rates = List.of(20_000L, 60_000L);
    int seconds = 8;
    int tcpBatch = 100;
    int tcpInflight = 16;
    int tcpConnections = 1;
    int statsdLines = 1;
    int burstRuns = 1;
    List<Long> burstRates = List.of(100_000L, 150_000L);
    int burstSeconds = 2;
    boolean etsy = true;
    int flushMillis = 5_000;
    boolean carbon = true;
    int carbonSeries = 1_000;
    long carbonRate = 5_000;
    int carbonSample = 40;
    boolean riffle = true;
    String riffleJavaOpts = "-Xmx1g";
    final java.util.Map<String, String> riffleEnv = new java.util.LinkedHashMap<>();
    int alertRules;
    int budgetSeconds = 555;
    String label = "";
    long dumpLines = 200_000;
    String out = "bench-results";
    String statsdDir = "target/etsy-statsd/node_modules/statsd";

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + name);
            }
            String v = args[++i];
            try {
                switch (name) {
                    case "--protocols" -> {
                        List<Sender.Protocol> p = new ArrayList<>();
                        for (String s : v.split(",")) {
                            p.add(Sender.Protocol.valueOf(s.trim().toUpperCase(Locale.ROOT)));
                        }
                        o.protocols = List.copyOf(p);
                    }
                    case "--series" -> o.series = ints(v);
                    case "--rates" -> o.rates = ints(v).stream().map(Integer::longValue).toList();
                    case "--seconds" -> o.seconds = positive(v);
                    case "--tcp-batch" -> o.tcpBatch = positive(v);
                    case "--tcp-inflight" -> o.tcpInflight = positive(v);
                    case "--tcp-connections" -> o.tcpConnections = positive(v);
                    case "--statsd-lines" -> o.statsdLines = positive(v);
                    case "--burst-runs" -> o.burstRuns = v.equals("0") ? 0 : positive(v);
                    case "--burst-rates" -> o.burstRates = ints(v).stream().map(Integer::longValue).toList();
                    case "--burst-seconds" -> o.burstSeconds = positive(v);
                    case "--etsy" -> o.etsy = bool(v);
                    case "--flush-ms" -> o.flushMillis = positive(v);
                    case "--carbon" -> o.carbon = bool(v);
                    case "--carbon-series" -> o.carbonSeries = positive(v);
                    case "--carbon-rate" -> o.carbonRate = positive(v);
                    case "--carbon-sample" -> o.carbonSample = positive(v);
                    case "--riffle" -> o.riffle = bool(v);
                    case "--riffle-java-opts" -> o.riffleJavaOpts = v;
                    case "--riffle-env" -> {
                        for (String kv : v.split(",")) {
                            int eq = kv.indexOf('=');
                            if (eq <= 0 || !kv.startsWith("RIFFLE_")) {
                                throw new IllegalArgumentException("--riffle-env wants RIFFLE_NAME=value,...: " + kv);
                            }
                            o.riffleEnv.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                    case "--alert-rules" -> o.alertRules = v.equals("0") ? 0 : positive(v);
                    case "--budget-seconds" -> o.budgetSeconds = positive(v);
                    case "--dump-lines" -> o.dumpLines = Long.parseLong(v);
                    case "--label" -> o.label = v.replaceAll("[^A-Za-z0-9_-]", "_");
                    case "--out" -> o.out = v;
                    case "--statsd-dir" -> o.statsdDir = v;
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: " + v);
            }
        }
        if (o.rates.isEmpty() || o.series.isEmpty() || o.protocols.isEmpty()) {
            throw new IllegalArgumentException("--rates, --series and --protocols need at least one value");
        }
        return o;
    }

    private static List<Integer> ints(String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            out.add(positive(s.trim().replace("_", "")));
        }
        return List.copyOf(out);
    }

    private static int positive(String v) {
        int n = Integer.parseInt(v);
        if (n < 1) {
            throw new IllegalArgumentException("expected a positive number, got " + v);
        }
        return n;
    }

    private static boolean bool(String v) {
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got " + v);
        };
    }

    /** The arguments that reproduce this run. */
    String describe() {
        return "--protocols " + String.join(",", protocols.stream().map(p -> p.name().toLowerCase(Locale.ROOT))
                .toList()) + " --series " + join(series) + " --rates " + join(rates) + " --seconds " + seconds
                + " --tcp-batch " + tcpBatch + " --tcp-inflight " + tcpInflight + " --tcp-connections "
                + tcpConnections + " --statsd-lines " + statsdLines + " --burst-runs " + burstRuns + " --burst-rates "
                + join(burstRates) + " --burst-seconds " + burstSeconds + " --etsy " + etsy + " --flush-ms "
                + flushMillis + " --carbon " + carbon + " --carbon-series " + carbonSeries + " --carbon-rate "
                + carbonRate + " --riffle-java-opts '" + riffleJavaOpts + "'"
                + (alertRules == 0 ? "" : " --alert-rules " + alertRules)
                + (riffleEnv.isEmpty() ? "" : " --riffle-env " + String.join(",", riffleEnv.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList()));
    }

    private static String join(List<? extends Number> l) {
        return String.join(",", l.stream().map(String::valueOf).toList());
    }
}
