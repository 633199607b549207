package dev.riffle.demo;

import dev.riffle.client.Gauge;
import dev.riffle.client.Riffle;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/**
 * Plays a small web site through the real Riffle client: three web servers and a database in production, one
 * web server in staging. Visitors view pages (a meter; each page is rendered, a timer), a quarter of them search
 * (a timer, and a histogram of how many results), a few sign up (an occurrence) and so add to the users in the
 * database (a gauge). Times are log-normal: most requests are quick, a few are very slow.
 *
 * <p>Every two minutes a release goes out: staging is deployed 3 s into the cycle and production at 8 s (a
 * deploy occurrence on each host), and production then sees a spike: three times the traffic, fading over 20 s,
 * with pages rendering twice as slowly while the new release warms up.
 */
public final class DemoSite implements AutoCloseable {
    static final int TICKS_PER_SECOND = 10;
    static final long TICK_MILLIS = 1000 / TICKS_PER_SECOND;
    static final int CYCLE_TICKS = 120 * TICKS_PER_SECOND;
    static final int STAGING_DEPLOY_TICK = 3 * TICKS_PER_SECOND;
    static final int PRODUCTION_DEPLOY_TICK = 8 * TICKS_PER_SECOND;
    static final double SPIKE_SECONDS = 20;
    private static final double SEARCH_SHARE = 0.25;
    private static final double SIGNUP_SHARE = 0.01;

    private final List<SiteHost> webHosts;
    private final Riffle database;
    private final Gauge users;
    private final Random random;
    private long userCount = 48_213;
    private volatile boolean stopped;

    /** @param clients makes the client of one host, given its name and environment */
    public DemoSite(BiFunction<String, String, Riffle> clients, Random random) {
        this.webHosts = List.of(
                new SiteHost("web1", "production", clients.apply("web1", "production")),
                new SiteHost("web2", "production", clients.apply("web2", "production")),
                new SiteHost("web3", "production", clients.apply("web3", "production")),
                new SiteHost("stage-web1", "staging", clients.apply("stage-web1", "staging")));
        this.database = clients.apply("db1", "production");
        this.users = database.gauge("users");
        this.random = random;
    }

    /** The site sending to a bridge at {@code host:port}, each of its hosts with a client of its own. */
    public static DemoSite sendingTo(String host, int port, Riffle.Protocol protocol, long seed) {
        return new DemoSite((name, environment) -> Riffle.builder().bridge(host, port).protocol(protocol)
                .hostname(name).environment(environment).build(), new Random(seed));
    }

    public List<String> hosts() {
        List<String> names = new ArrayList<>(webHosts.stream().map(SiteHost::toString).toList());
        names.add("db1 (production)");
        return names;
    }

    /**
     * Plays the site in real time, a tick every 100 ms, for {@code seconds} (0 = until {@link #stop()} or an
     * interrupt).
     */
    public void run(double seconds) {
        long start = System.nanoTime();
        for (long tick = 0; !stopped; tick++) {
            if (seconds > 0 && tick >= seconds * TICKS_PER_SECOND) {
                return;
            }
            long wait = start + TimeUnit.MILLISECONDS.toNanos(tick * TICK_MILLIS) - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            tick(tick);
        }
    }

    public void stop() {
        stopped = true;
    }

    /** One tenth of a second of the site: the {@code tick}th since it started. */
    void tick(long tick) {
        double at = (double) tick / TICKS_PER_SECOND;
        long inCycle = tick % CYCLE_TICKS;
        double sinceDeploy = (double) (inCycle - PRODUCTION_DEPLOY_TICK) / TICKS_PER_SECOND;
        // a release brings visitors: 3x at the deploy, back to normal after SPIKE_SECONDS
        double spike = sinceDeploy >= 0 && sinceDeploy < SPIKE_SECONDS ? 1 + 2 * (1 - sinceDeploy / SPIKE_SECONDS) : 1;
        double wobble = 1 + 0.3 * Math.sin(2 * Math.PI * at / 600); // the slow swell of a day, sped up
        for (SiteHost host : webHosts) {
            boolean production = host.environment.equals("production");
            if (inCycle == (production ? PRODUCTION_DEPLOY_TICK : STAGING_DEPLOY_TICK)) {
                host.deploys.mark();
            }
            double perSecond = (production ? 25 * spike : 3) * wobble;
            double slowdown = production ? 1 + (spike - 1) / 2 : 1;
            int views = poisson(perSecond / TICKS_PER_SECOND);
            for (int i = 0; i < views; i++) {
                host.pageViews.inc();
                host.renderTime.record(logNormal(18 * slowdown, 0.5));
                if (random.nextDouble() < SEARCH_SHARE) {
                    host.searchTime.record(logNormal(45, 0.7));
                    host.searchResults.record(Math.round(logNormal(20, 1.0)));
                }
                if (random.nextDouble() < SIGNUP_SHARE) {
                    host.signups.mark();
                    userCount++;
                }
            }
        }
        if (tick % TICKS_PER_SECOND == 0) {
            users.report(userCount); // the database host reports its count once a second
        }
    }

    /** A log-normal value with the given median: the long tail of real response times. */
    private double logNormal(double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    /** A Poisson-distributed number of arrivals with the given mean (Knuth's method: small means only). */
    private int poisson(double mean) {
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int n = 0;
        while (product > limit && n < 1_000) {
            product *= random.nextDouble();
            n++;
        }
        return n;
    }

    public long sent() {
        return sum(Riffle::sent);
    }

    public long dropped() {
        return sum(Riffle::dropped);
    }

    public long failed() {
        return sum(Riffle::failed);
    }

    private long sum(ToLongFunction<Riffle> counter) {
        return webHosts.stream().mapToLong(h -> counter.applyAsLong(h.metrics)).sum()
                + counter.applyAsLong(database);
    }

    /** Sends what is still queued and stops every client. */
    @Override
    public void close() {
        webHosts.forEach(h -> h.metrics.close());
        database.close();
    }
}
