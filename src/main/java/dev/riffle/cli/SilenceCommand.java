package dev.riffle.cli;

import dev.riffle.alert.Silence;
import dev.riffle.alert.Silences;
import dev.riffle.config.Config;
import dev.riffle.config.ConfigException;
import dev.riffle.config.Durations;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code riffle silence add|list|expire}: silences kept in Kafka, read by every notifier. */
@Command(name = "silence", mixinStandardHelpOptions = true,
        description = "Silence alerts by label matchers until a time, list silences, or end one early. "
                + "Needs RIFFLE_KAFKA_BOOTSTRAP (for riffle run's broker: 127.0.0.1:9092).",
        subcommands = {SilenceCommand.Add.class, SilenceCommand.ListSilences.class, SilenceCommand.Expire.class})
final class SilenceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new ConfigException("say what to do: riffle silence add|list|expire (see riffle silence --help)");
    }

    private static String connect(Config config) {
        try (Pipeline p = new Pipeline(config)) {
            return p.connect(false);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Silence alerts whose labels match every --match (label=pattern; a Graphite glob such as "
                    + "host=box1 or series=production.*.page-views.*). Prints the silence's id.")
    static final class Add implements Callable<Integer> {
        @Mixin
        Settings settings = new Settings();
        @Option(names = "--match", required = true, paramLabel = "LABEL=PATTERN",
                description = "e.g. alertname=host-silent; repeat for several (all must match)")
        List<String> matchers;
        @Option(names = "--for", paramLabel = "DURATION", defaultValue = "1h",
                description = "how long, from now (500ms, 10s, 5m, 1h, 2d); default ${DEFAULT-VALUE}")
        String duration;
        @Option(names = "--comment", defaultValue = "", description = "why")
        String comment;
        @Option(names = "--by", defaultValue = "${sys:user.name}", description = "who (default: the user)")
        String createdBy;

        @Override
        public Integer call() {
            Config config = settings.load();
            Map<String, String> m = new LinkedHashMap<>();
            for (String text : matchers) {
                int eq = text.indexOf('=');
                if (eq <= 0 || eq == text.length() - 1) {
                    throw new ConfigException("--match: got '" + text + "', expected LABEL=PATTERN");
                }
                try {
                    dev.riffle.core.GraphiteGlob.compile(text.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("--match " + text + ": " + e.getMessage());
                }
                m.put(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
            }
            long length;
            try {
                length = Durations.parse(duration).toMillis();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--for: " + e.getMessage());
            }
            long now = System.currentTimeMillis();
            Silence s = Silences.add(config, connect(config), m, now, now + length, createdBy, comment);
            System.out.println(s.id());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List active silences (--all: ended too).")
    static final class ListSilences implements Callable<Integer> {
        @Mixin
        Settings settings = new Settings();
        @Option(names = "--all", description = "also those that have ended")
        boolean all;

        @Override
        public Integer call() {
            Config config = settings.load();
            long now = System.currentTimeMillis();
            for (Silence s : Silences.list(config, connect(config))) {
                if (all || s.endsAtMs() > now) {
                    System.out.println(s.id() + "  " + s.matchers() + "  until " + Instant.ofEpochMilli(s.endsAtMs())
                            + (s.activeAt(now) ? "" : " (ended)") + "  by " + s.createdBy()
                            + (s.comment().isEmpty() ? "" : "  \"" + s.comment() + "\""));
                }
            }
            return 0;
        }
    }

    @Command(name = "expire", mixinStandardHelpOptions = true, description = "End a silence now.")
    static final class Expire implements Callable<Integer> {
        @Mixin
        Settings settings = new Settings();
        @Parameters(paramLabel = "ID", description = "the id riffle silence add printed")
        String id;

        @Override
        public Integer call() {
            Config config = settings.load();
            if (!Silences.expire(config, connect(config), id, System.currentTimeMillis())) {
                System.err.println("riffle: no active silence " + id);
                return 1;
            }
            System.out.println("expired " + id);
            return 0;
        }
    }
}
