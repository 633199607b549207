package dev.riffle.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Resolved settings: declared defaults, overridden by the YAML file, overridden by {@code RIFFLE_*} environment
 * variables. Unknown keys and malformed values fail at load time, naming the key and what was expected.
 */
public final class Config {
    /** Environment variables with the RIFFLE_ prefix that are read by scripts, not by this class. */
    private static final Set<String> NOT_SETTINGS = Set.of("RIFFLE_CONFIG", "RIFFLE_JAVA_OPTS", "RIFFLE_JAR");
    /** The Java client's settings (dev.riffle.client), which may well be set in the shell that starts Riffle. */
    private static final String CLIENT_PREFIX = "RIFFLE_CLIENT_";
    private static final String KAFKA_CLIENT_PREFIX = "RIFFLE_KAFKA_CLIENT_";

    private final Map<String, ConfigKey<?>> keys;
    private final Map<String, Object> values;

    private Config(Map<String, ConfigKey<?>> keys, Map<String, Object> values) {
        this.keys = keys;
        this.values = values;
    }

    /** Defaults only: for tests, which then override with {@link #with}. */
    public static Config defaults(Collection<ConfigKey<?>> keys) {
        return load(null, Map.of(), keys);
    }

    /**
     * @param yamlFile the config file, or null for none
     * @param env      usually {@code System.getenv()}
     * @param keys     every key the program understands
     */
    public static Config load(Path yamlFile, Map<String, String> env, Collection<ConfigKey<?>> keys) {
        Map<String, ConfigKey<?>> byName = new LinkedHashMap<>();
        Map<String, ConfigKey<?>> byEnv = new HashMap<>();
        for (ConfigKey<?> key : keys) {
            if (byName.put(key.name(), key) != null || byEnv.put(key.envName(), key) != null) {
                throw new IllegalArgumentException("config key declared twice: " + key.name());
            }
        }
        Map<String, Object> values = new HashMap<>();
        if (yamlFile != null) {
            readYaml(yamlFile, byName, values);
        }
        Map<String, String> kafkaClient = new java.util.TreeMap<>();
        env.forEach((name, text) -> {
            if (!name.startsWith("RIFFLE_") || NOT_SETTINGS.contains(name) || name.startsWith(CLIENT_PREFIX)) {
                return;
            }
            ConfigKey<?> key = byEnv.get(name);
            if (key == null && name.startsWith(KAFKA_CLIENT_PREFIX) && byName.containsKey("kafka.client")) {
                // RIFFLE_KAFKA_CLIENT_SASL_JAAS_CONFIG -> sasl.jaas.config (Kafka's names have no underscores)
                kafkaClient.put(name.substring(KAFKA_CLIENT_PREFIX.length()).toLowerCase(java.util.Locale.ROOT)
                        .replace('_', '.'), text);
                return;
            }
            if (key == null) {
                throw new ConfigException("unknown environment variable " + name
                        + " (known: " + String.join(", ", byEnv.keySet().stream().sorted().toList()) + ")");
            }
            values.put(key.name(), key.parse(text));
        });
        if (!kafkaClient.isEmpty()) { // one variable per setting wins over the mapping
            @SuppressWarnings("unchecked")
            Map<String, String> merged = new java.util.LinkedHashMap<>(
                    (Map<String, String>) values.getOrDefault("kafka.client", Map.of()));
            merged.putAll(kafkaClient);
            values.put("kafka.client", byName.get("kafka.client").parse(merged));
        }
        return new Config(byName, values);
    }

    private static void readYaml(Path file, Map<String, ConfigKey<?>> byName, Map<String, Object> values) {
        Object tree;
        try {
            tree = Files.isRegularFile(file) ? new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class)
                    : failMissing(file);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage());
        }
        if (tree == null) {
            return; // an empty file is fine
        }
        if (!(tree instanceof Map<?, ?> root)) {
            throw new ConfigException("config file " + file + ": expected a mapping of settings at the top");
        }
        walk("", root, byName, values, file);
    }

    private static Object failMissing(Path file) {
        throw new ConfigException("config file " + file + " does not exist");
    }

    private static void walk(String prefix, Map<?, ?> node, Map<String, ConfigKey<?>> byName,
                             Map<String, Object> values, Path file) {
        for (Map.Entry<?, ?> entry : node.entrySet()) {
            String name = prefix + entry.getKey();
            ConfigKey<?> key = byName.get(name);
            if (key != null) {
                values.put(name, key.parse(entry.getValue()));
            } else if (entry.getValue() instanceof Map<?, ?> child && isSection(name, byName)) {
                walk(name + ".", child, byName, values, file);
            } else {
                throw new ConfigException("unknown key '" + name + "' in " + file
                        + " (known: " + String.join(", ", byName.keySet()) + ")");
            }
        }
    }

    private static boolean isSection(String name, Map<String, ConfigKey<?>> byName) {
        return byName.keySet().stream().anyMatch(k -> k.startsWith(name + "."));
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!keys.containsKey(key.name())) {
            throw new IllegalArgumentException("key not registered: " + key.name());
        }
        Object v = values.get(key.name());
        return v == null ? key.defaultValue() : (T) v;
    }

    /** A copy with one value replaced, given as text or YAML-like value; checked like any other input. */
    public Config with(ConfigKey<?> key, Object raw) {
        if (!keys.containsKey(key.name())) {
            throw new IllegalArgumentException("key not registered: " + key.name());
        }
        Map<String, Object> copy = new HashMap<>(values);
        copy.put(key.name(), key.parse(raw));
        return new Config(keys, copy);
    }

    /** Every key with its effective value, for {@code riffle config} and the README. */
    public Map<ConfigKey<?>, Object> effective() {
        Map<ConfigKey<?>, Object> out = new LinkedHashMap<>();
        keys.values().forEach(k -> out.put(k, get(k)));
        return out;
    }
}
