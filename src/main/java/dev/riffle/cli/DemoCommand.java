package dev.riffle.cli;

import dev.riffle.client.Riffle;
import dev.riffle.config.CommonKeys;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.HostPort;
import dev.riffle.demo.DemoSite;
import dev.riffle.ingest.IngestKeys;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code riffle demo}: a small site's traffic, sent through the Riffle Java client to the bridge. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Play a small web site through the Riffle Java client: web1-3 and db1 in production, "
                + "stage-web1 in staging; page views, signups, search and render times, search results, users in "
                + "the database, and a release (deploys, then a traffic spike) every two minutes. Sends to the "
                + "configured bridge (bind address and riemann_port, e.g. RIFFLE_RIEMANN_PORT).")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Settings settings = new Settings();

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "stop after this many seconds (default: run until Ctrl-C)")
    Integer duration;

    @Option(names = "--tcp", description = "send over TCP instead of UDP")
    boolean tcp;

    @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "bridge address (default: the configured bind address and Riemann port)")
    String to;

    @Option(names = "--seed", description = "random seed, for the same traffic every time (default: random)")
    Long seed;

    @Override
    public Integer call() throws Exception {
        Config config = settings.load();
        if (duration != null && duration < 1) {
            System.err.println("riffle demo: --duration must be at least 1 second");
            return Main.BAD_CONFIG;
        }
        HostPort bridge = bridgeAddress(config, to);
        Riffle.Protocol protocol = tcp ? Riffle.Protocol.TCP : Riffle.Protocol.UDP;
        DemoSite site = DemoSite.sendingTo(bridge.host(), bridge.port(), protocol,
                seed != null ? seed : System.nanoTime());
        System.err.println("riffle demo: " + String.join(", ", site.hosts()) + " sending to " + bridge + " over "
                + protocol + (duration != null ? " for " + duration + " s" : "; Ctrl-C stops it"));
        CountDownLatch finished = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            site.stop();
            try {
                finished.await(5, TimeUnit.SECONDS); // let the clients send what they hold
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "riffle-demo-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            site.run(duration != null ? duration : 0);
        } finally {
            site.close();
            System.err.println("riffle demo: " + site.sent() + " events sent, " + site.dropped() + " dropped, "
                    + site.failed() + " failed");
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(onCtrlC);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running, and returns now that the site is closed
        }
        return 0;
    }

    /** Where the bridge of this configuration listens; an any-address bind is reached on loopback. */
    /** The bridge's Riemann port: {@code --to} when given, else the configured bind address (any = loopback). */
    static HostPort bridgeAddress(Config config, String to) {
        if (to != null) {
            try {
                return HostPort.parse(to);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--to: got '" + to + "', expected host:port");
            }
        }
        String bind = config.get(CommonKeys.BIND);
        String host = bind.equals("0.0.0.0") ? "127.0.0.1" : bind.equals("::") ? "::1" : bind;
        return new HostPort(host, config.get(IngestKeys.RIEMANN_PORT));
    }
}
