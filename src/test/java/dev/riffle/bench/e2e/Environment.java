package dev.riffle.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the output says about where and how it was measured. */
final class Environment {
    private Environment() {
    }

    static final String COLUMNS_DOC = String.join("\n",
            "Columns:",
            "",
            "- **offered**: events the generator sent in the step (offered/s: per second of sending). Events carry no",
            "  time: the bridge (or Etsy statsd) stamps the arrival. Mix: 60% meters (statsd `c`), 30% histograms and",
            "  timers (`ms`), 10% gauges (`g`), round-robin over the step's series.",
            "- **acked (TCP)**: events in Riemann Msgs that the bridge answered `ok` (it has handed them to Kafka's",
            "  producer).",
            "- **in kafka**: the bridge's `to kafka` figure over the step (acknowledged by the broker).",
            "- **counted**: Riffle: the streams stage's `events` figure over the step; Etsy statsd: its own",
            "  `statsd.metrics_received` counter. **lost** = offered - counted.",
            "- **late**: the streams stage's `late` figure over the step (events dropped because their window had",
            "  closed).",
            "- **meters lost**: meter events offered minus those in the points: Riffle: each per-host",
            "  `rate-per-second` point x 5 s, summed; Etsy: each `stats.counters.*.count`, summed.",
            "- **kernel UDP drops**: the `drops` column of /proc/net/udp and udp6 for the receiving socket over the",
            "  step (datagrams the kernel dropped there, for a full receive buffer; other sockets' drops not counted).",
            "- **burst** rows (`--burst-runs`): one datagram per event at the burst rate for `--burst-seconds`, into",
            "  the warm riffle after the other steps, 10 series; rows of one rate in the order they ran.",
            "- **points**: lines of the step at the counting listener (fill-ins and all-hosts points included).",
            "- **latency**: for each point, its arrival at the listener minus the end of the interval it covers:",
            "  Riffle: window start + 5 s (so the 1 s grace, the commit interval and the sink are in it); Etsy statsd:",
            "  the flush time it stamps (rounded to the second, negatives counted as 0), so its latency is the time",
            "  to format and send a flush, while an event in it waited up to the flush interval before that.",
            "- **all-hosts p99**: the latency's p99 over the all-hosts (fleet) points only; the fleet stage emits a",
            "  window once every per-host task has passed it.",
            "- **peak heap**: largest heap in use before a collection in the riffle JVM's `-Xlog:gc` during the step",
            "  (a dash: no collection): with -Xmx1g the collector lets the heap fill before it works, so this is",
            "  near the limit by design; **heap after GC**: the largest heap left after a collection in the step,",
            "  the high-water mark of what is really live; **peak RSS**: largest VmRSS sampled every 250 ms (riffle",
            "  JVM / node).",
            "- **CPU cores**: CPU time of the server process (utime + stime) / wall time of the step (sending and",
            "  draining); **bench CPU cores**: the same for the benchmark JVM (generator and listener).",
            "");

    static String header(Options o, int cores, double seconds, String etsyVersion, String loadAtStart) {
        StringBuilder h = new StringBuilder();
        h.append(String.format(Locale.ROOT, "- Machine: %d cores (%s), %s; load average at the start %s, at the end "
                        + "%s. The load generator, the counting listener and the server under test share these "
                        + "cores (and other work on the machine, if the load average says so).%n",
                cores, cpuModel(), memory(), loadAtStart, loadAverage()));
        h.append("- Java ").append(System.getProperty("java.version")).append("; riffle JVM: `scripts/riffle run`, ")
                .append("RIFFLE_JAVA_OPTS `").append(o.riffleJavaOpts).append(" -Xlog:gc:file=...`, in-process ")
                .append("Kafka on a free port, data in a temp dir, status every 1 s, bridge self metrics off.\n");
        h.append("- Etsy statsd ").append(etsyVersion).append(" on Node.js ").append(command("node", "--version"))
                .append(": flushInterval ").append(o.flushMillis).append(" ms, legacyNamespace false, ")
                .append("percentThreshold 50,75,95,99, deleteIdleStats true, graphite backend.\n");
        h.append("- Graphite: a counting listener in the benchmark JVM (a plaintext TCP server that parses every ")
                .append("`path value timestamp` line and stores nothing); the carbon-cache step writes to it and ")
                .append("to a private Debian carbon-cache at once (sink.mode all).\n");
        h.append("- Series = hosts x services (services = min(series, 100)); Riemann TCP: Msgs of ")
                .append(o.tcpBatch).append(" events, at most ").append(o.tcpInflight).append(" unanswered, ")
                .append(o.tcpConnections).append(" connection(s); UDP: one event per datagram; statsd: ")
                .append(o.statsdLines).append(" line(s) per datagram, names `<step>.h<host>.s<service>-<kind>` ")
                .append("without a `host:` tag (Etsy statsd knows none), so Riffle files every statsd series under ")
                .append("one host (`ingest.statsd_host` = bench), spread over the events partitions by name.\n");
        h.append(String.format(Locale.ROOT, "- Run: `scripts/bench-e2e %s`, %.0f s in all.%n", o.describe(), seconds));
        return h.toString();
    }

    /** The short commit of the work tree, with "+dirty" when tracked files differ from it. */
    static String commit(Path root) {
        String c = command("git", "-C", root.toString(), "rev-parse", "--short", "HEAD");
        String dirty = command("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no");
        return c.isEmpty() ? "unknown" : c + (dirty.isEmpty() ? "" : "+dirty");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB memory")
                    .findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static String loadAverage() {
        try {
            List<String> f = List.of(Files.readString(Path.of("/proc/loadavg")).split(" "));
            return f.get(0) + " " + f.get(1) + " " + f.get(2);
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** A command's first line of output, or empty. */
    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "";
            }
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
