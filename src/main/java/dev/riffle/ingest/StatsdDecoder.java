package dev.riffle.ingest;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * statsd lines, with the DogStatsD extensions: {@code name:value[:value...]|type[|@rate][|#tag,k:v][|Tseconds]}.
 *
 * <p>Mapping onto Riffle's kinds (the README has the table): {@code c} -> meter with metric = value / rate;
 * {@code ms}, {@code h}, {@code d} -> timer with metric = value; {@code g} -> gauge, where a value with a sign is
 * a change to the last gauge of that host and name (statsd's rule); {@code s} -> occurrence, the member kept in
 * the attribute {@code member} (Riffle has no distinct-count kind). Host: a {@code host:} tag, else the
 * configured one. Environment: an {@code env:} tag, else the configured default, added as a plain tag so the
 * topology's routing finds it. Other {@code k:v} tags become attributes, bare tags become tags.
 */
final class StatsdDecoder implements LineDecoder {
    private final String defaultHost;
    private final String defaultEnvironment;
    private final GaugeMemory gauges;

    /**
     * @param defaultEnvironment added as a tag to lines without an {@code env:} tag; empty for none
     * @param maxGauges          how many (host, name) gauges are remembered for +/- changes
     */
    StatsdDecoder(String defaultHost, String defaultEnvironment, int maxGauges) {
        this.defaultHost = defaultHost;
        this.defaultEnvironment = defaultEnvironment;
        this.gauges = new GaugeMemory(maxGauges);
    }

    @Override
    public void decodeLine(byte[] buf, int offset, int length, long receiveMicros, List<Event> into) {
        String line = Utf8.decode(buf, offset, length);
        if (line.startsWith("_e{") || line.startsWith("_sc|")) {
            throw new MalformedInputException(IngestCounters.Reason.UNSUPPORTED_LINE,
                    "DogStatsD events and service checks are not supported");
        }
        String[] sections = line.split("\\|", -1);
        int colon = sections[0].indexOf(':');
        if (sections.length < 2 || colon <= 0) {
            throw malformed("expected name:value|type");
        }
        String name = sections[0].substring(0, colon);
        String[] values = sections[0].substring(colon + 1).split(":", -1);
        String type = sections[1];
        String kind = switch (type) {
            case "c" -> "meter";
            case "ms", "h", "d" -> "timer";
            case "g" -> "gauge";
            case "s" -> "occurrence";
            default -> throw malformed("unknown type '" + type + "'");
        };

        double rate = 1.0;
        long timeMicros = receiveMicros;
        String host = defaultHost;
        String environment = defaultEnvironment;
        List<String> tags = new ArrayList<>(4);
        tags.add(kind);
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 2; i < sections.length; i++) {
            String section = sections[i];
            if (section.startsWith("@")) {
                rate = number(section.substring(1));
                if (!(rate > 0 && rate <= 1)) {
                    throw malformed("sample rate must be above 0 and at most 1");
                }
            } else if (section.startsWith("#")) {
                for (String tag : section.substring(1).split(",")) {
                    int kv = tag.indexOf(':');
                    if (kv < 0) {
                        if (!tag.isEmpty()) {
                            tags.add(tag);
                        }
                    } else if (tag.startsWith("host:")) {
                        host = tag.substring(kv + 1);
                    } else if (tag.startsWith("env:")) {
                        environment = tag.substring(kv + 1);
                    } else {
                        attributes.put(tag.substring(0, kv), tag.substring(kv + 1));
                    }
                }
            } else if (section.startsWith("T")) {
                timeMicros = RiemannDecoder.secondsToMicros((long) number(section.substring(1)));
            }
            // other DogStatsD sections (c: container id, e: external data) do not concern Riffle
        }
        if (!environment.isEmpty()) {
            tags.add(environment);
        }
        List<Event> events = new ArrayList<>(values.length);
        Double gauge = null; // the line's gauge so far: remembered only once every value of the line is accepted
        for (String value : values) {
            Double metric = null;
            Map<String, String> eventAttributes = attributes;
            switch (type) {
                case "c" -> metric = number(value) / rate;
                case "g" -> metric = gauge = gauge(gauge == null ? gauges.get(host, name) : gauge, value);
                case "s" -> {
                    eventAttributes = new LinkedHashMap<>(attributes);
                    eventAttributes.put("member", value);
                }
                default -> metric = number(value);
            }
            EventCheck.require(host, name, metric);
            events.add(new Event(timeMicros, host, name, null, null, tags, eventAttributes, metric, null));
        }
        if (gauge != null) {
            gauges.set(host, name, gauge); // a refused value threw above and never reaches the memory
        }
        into.addAll(events);
    }

    /**
     * statsd's gauge rule: a leading sign means a change to the last value (0 when none is known). Computes the
     * new value only; the caller remembers it once it passed the checks.
     */
    private static double gauge(double last, String value) {
        double v = number(value);
        return value.startsWith("+") || value.startsWith("-") ? last + v : v;
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw malformed("not a number: '" + text + "'");
        }
    }

    private static MalformedInputException malformed(String detail) {
        return new MalformedInputException(IngestCounters.Reason.MALFORMED_LINE, detail);
    }
}
