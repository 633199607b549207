package dev.riffle.client;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The client's configuration, read from system properties ({@code riffle.client.bridge}) or, when a property is
 * absent, the environment ({@code RIFFLE_CLIENT_BRIDGE}). Setting the bridge turns the client on; so does
 * {@code enabled=true} (to send to the default 127.0.0.1:5555); {@code enabled=false} turns it off whatever else
 * is set.
 *
 * @param environment the environment tag of every event, or null for none
 * @param hostname    the host of every event, or null for this machine's name
 */
record ClientSettings(boolean enabled, String bridgeHost, int bridgePort, Riffle.Protocol protocol,
                      String environment, String hostname, int queueCapacity, int maxMessageBytes,
                      long flushMillis) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 5555;
    static final int DEFAULT_QUEUE = 10_000;
    static final int UDP_MAX_MESSAGE_BYTES = 1_400;
    static final int TCP_MAX_MESSAGE_BYTES = 16 * 1024;
    static final long DEFAULT_FLUSH_MILLIS = 20;

    ClientSettings {
        if (enabled) {
            require(bridgeHost != null && !bridgeHost.isBlank(), "bridge host", bridgeHost);
            require(bridgePort >= 1 && bridgePort <= 65_535, "bridge port (1-65535)", bridgePort);
            require(protocol != null, "protocol", protocol);
            require(hostname == null || !hostname.isBlank(), "hostname", "'" + hostname + "'");
            require(queueCapacity >= 1 && queueCapacity <= 10_000_000, "queue (1-10000000)", queueCapacity);
            require(maxMessageBytes >= 256 && maxMessageBytes <= 65_507, "max_message_bytes (256-65507)",
                    maxMessageBytes);
            require(flushMillis >= 1 && flushMillis <= 60_000, "flush_millis (1-60000)", flushMillis);
        }
    }

    static ClientSettings disabled() {
        return new ClientSettings(false, DEFAULT_HOST, DEFAULT_PORT, Riffle.Protocol.UDP, null, null, DEFAULT_QUEUE,
                UDP_MAX_MESSAGE_BYTES, DEFAULT_FLUSH_MILLIS);
    }

    /** @throws IllegalArgumentException naming the setting, for a value that makes no sense */
    static ClientSettings read(Properties properties, Map<String, String> env) {
        Source source = new Source(properties, env);
        String bridge = source.get("bridge");
        String enabled = source.get("enabled");
        boolean on = enabled != null ? parseBoolean(source, "enabled", enabled) : bridge != null;
        if (!on) {
            return disabled();
        }
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        if (bridge != null) {
            int colon = bridge.lastIndexOf(':');
            require(colon > 0 && colon < bridge.length() - 1, source.name("bridge") + " as host:port", bridge);
            host = bridge.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            port = source.parseInt("bridge", bridge.substring(colon + 1));
        }
        String protocolText = source.get("protocol");
        Riffle.Protocol protocol = Riffle.Protocol.UDP;
        if (protocolText != null) {
            try {
                protocol = Riffle.Protocol.valueOf(protocolText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source.name("protocol") + ": expected udp or tcp, got '"
                        + protocolText + "'");
            }
        }
        String maxBytes = source.get("max_message_bytes");
        String queue = source.get("queue");
        String flush = source.get("flush_millis");
        return new ClientSettings(true, host, port, protocol, environment(source.get("environment")),
                source.get("hostname"), queue == null ? DEFAULT_QUEUE : source.parseInt("queue", queue),
                maxBytes == null ? defaultMaxMessageBytes(protocol) : source.parseInt("max_message_bytes", maxBytes),
                flush == null ? DEFAULT_FLUSH_MILLIS : source.parseInt("flush_millis", flush));
    }

    static int defaultMaxMessageBytes(Riffle.Protocol protocol) {
        return protocol == Riffle.Protocol.TCP ? TCP_MAX_MESSAGE_BYTES : UDP_MAX_MESSAGE_BYTES;
    }

    /** {@code none} (or blank) means no environment tag. */
    static String environment(String tag) {
        return tag == null || tag.isBlank() || tag.equalsIgnoreCase("none") ? null : tag.trim();
    }

    private static boolean parseBoolean(Source source, String key, String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException(source.name(key) + ": expected true or false, got '" + text + "'");
    }

    private static void require(boolean ok, String what, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("bad " + what + ": " + value);
        }
    }

    /** A setting {@code key} is the system property {@code riffle.client.key}, else {@code RIFFLE_CLIENT_KEY}. */
    private record Source(Properties properties, Map<String, String> env) {
        String get(String key) {
            String value = properties.getProperty("riffle.client." + key);
            if (value == null) {
                value = env.get("RIFFLE_CLIENT_" + key.toUpperCase(Locale.ROOT));
            }
            return value == null || value.isBlank() ? null : value.trim();
        }

        String name(String key) {
            return "riffle.client." + key + " / RIFFLE_CLIENT_" + key.toUpperCase(Locale.ROOT);
        }

        int parseInt(String key, String text) {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name(key) + ": expected an integer, got '" + text + "'");
            }
        }
    }
}
