package dev.riffle.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting: its dotted name in the YAML file ({@code kafka.bootstrap}), the environment variable that
 * overrides it ({@code RIFFLE_KAFKA_BOOTSTRAP}), its default, and how a text value is checked and parsed.
 *
 * <p>Each stage declares its own keys next to its code; {@link Config} refuses any key nobody declared.
 */
public final class ConfigKey<T> {
    private final String name;
    private final T defaultValue;
    private final String expected;
    private final String description;
    private final Function<Object, T> parser;

    private ConfigKey(String name, T defaultValue, String expected, String description, Function<Object, T> parser) {
        this.name = Objects.requireNonNull(name);
        this.defaultValue = defaultValue;
        this.expected = expected;
        this.description = description;
        this.parser = parser;
    }

    public String name() {
        return name;
    }

    /** {@code kafka.bootstrap} -> {@code RIFFLE_KAFKA_BOOTSTRAP}. */
    public String envName() {
        return "RIFFLE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String expected() {
        return expected;
    }

    public String description() {
        return description;
    }

    /** Parses a YAML scalar, list or map, or an environment variable's text. */
    T parse(Object raw) {
        try {
            T value = parser.apply(raw);
            if (value == null) {
                throw new IllegalArgumentException();
            }
            return value;
        } catch (ConfigException e) {
            // a structured value's parser names what inside it is wrong (which rule, which field)
            throw new ConfigException(name + " (" + envName() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException(name + " (" + envName() + "): got '" + raw + "', expected " + expected);
        }
    }

    public static ConfigKey<String> string(String name, String def, String description) {
        return new ConfigKey<>(name, def, "a non-empty string", description, raw -> {
            String s = scalar(raw);
            return s.isEmpty() ? null : s;
        });
    }

    /** A string that may be empty or unset (default null). */
    public static ConfigKey<String> optionalString(String name, String description) {
        return new ConfigKey<>(name, "", "a string", description, ConfigKey::scalar);
    }

    public static ConfigKey<Integer> integer(String name, int def, int min, int max, String description) {
        return new ConfigKey<>(name, def, "an integer from " + min + " to " + max, description, raw -> {
            int v = Integer.parseInt(scalar(raw));
            return v < min || v > max ? null : v;
        });
    }

    public static ConfigKey<Long> longValue(String name, long def, long min, long max, String description) {
        return new ConfigKey<>(name, def, "an integer from " + min + " to " + max, description, raw -> {
            long v = Long.parseLong(scalar(raw));
            return v < min || v > max ? null : v;
        });
    }

    public static ConfigKey<Double> decimal(String name, double def, double min, double max, String description) {
        return new ConfigKey<>(name, def, "a number from " + min + " to " + max, description, raw -> {
            double v = Double.parseDouble(scalar(raw));
            return Double.isNaN(v) || v < min || v > max ? null : v;
        });
    }

    public static ConfigKey<Integer> port(String name, int def, String description) {
        return integer(name, def, 0, 65535, description);
    }

    public static ConfigKey<Boolean> bool(String name, boolean def, String description) {
        return new ConfigKey<>(name, def, "true or false", description, raw -> {
            String s = scalar(raw).toLowerCase(Locale.ROOT);
            return switch (s) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> null;
            };
        });
    }

    /** One of an enum's constants, written in any case ({@code hash}, {@code HASH}); checked when config loads. */
    public static <E extends Enum<E>> ConfigKey<E> choice(String name, E def, String description) {
        Class<E> type = def.getDeclaringClass();
        List<String> names = Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        String expected = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new ConfigKey<>(name, def, expected, description,
                raw -> Enum.valueOf(type, scalar(raw).toUpperCase(Locale.ROOT)));
    }

    /** A list: a YAML sequence, or comma-separated text in an environment variable. Empty allowed. */
    public static ConfigKey<List<String>> list(String name, List<String> def, String description) {
        return new ConfigKey<>(name, List.copyOf(def), "a list (YAML sequence or comma-separated)", description,
                raw -> {
                    List<String> out = new ArrayList<>();
                    if (raw instanceof List<?> l) {
                        l.forEach(item -> out.add(scalar(item)));
                    } else {
                        for (String s : scalar(raw).split(",")) {
                            if (!s.isBlank()) {
                                out.add(s.trim());
                            }
                        }
                    }
                    return List.copyOf(out);
                });
    }

    /** A map: a YAML mapping, or {@code k=v,k=v} text in an environment variable. Keys and values may be empty. */
    public static ConfigKey<Map<String, String>> map(String name, Map<String, String> def, String description) {
        return new ConfigKey<>(name, Map.copyOf(def), "a mapping (YAML mapping or key=value,key=value)",
                description, raw -> {
                    Map<String, String> out = new LinkedHashMap<>();
                    if (raw instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> out.put(k == null ? "" : scalar(k), v == null ? "" : scalar(v)));
                    } else {
                        for (String pair : scalar(raw).split(",")) {
                            if (pair.isBlank()) {
                                continue;
                            }
                            int eq = pair.indexOf('=');
                            if (eq < 0) {
                                return null;
                            }
                            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                        }
                    }
                    return out;
                });
    }

    /** A duration written {@code 500ms}, {@code 10s}, {@code 5m} or {@code 1h} (see {@link Durations}). */
    public static ConfigKey<java.time.Duration> duration(String name, String def, String description) {
        return new ConfigKey<>(name, Durations.parse(def), "a duration such as 500ms, 10s, 5m or 1h (not negative)",
                description, raw -> Durations.parse(scalar(raw)));
    }

    /**
     * A structured value (a YAML sequence or mapping, or the same written as YAML/JSON flow text in an environment
     * variable), turned into {@code T} by {@code parser}. The parser throws {@link ConfigException} naming the part
     * that is wrong; the key's name is put in front of its message.
     */
    public static <T> ConfigKey<T> structured(String name, T def, String expected, String description,
                                              Function<Object, T> parser) {
        return new ConfigKey<>(name, def, expected, description, raw -> {
            Object tree = raw;
            if (raw instanceof String text) {
                try {
                    tree = new com.fasterxml.jackson.databind.ObjectMapper(
                            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue(text, Object.class);
                } catch (java.io.IOException e) {
                    throw new ConfigException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
            return parser.apply(tree);
        });
    }

    /** A {@code host:port} address, or {@code none}; parsed to a list of endpoints (empty = none). */
    public static ConfigKey<List<HostPort>> endpoints(String name, String def, String description) {
        Function<Object, List<HostPort>> parser = raw -> {
            String s = scalar(raw);
            if (s.equalsIgnoreCase("none")) {
                return List.of();
            }
            return Arrays.stream(s.split(",")).map(String::trim).map(HostPort::parse).toList();
        };
        return new ConfigKey<>(name, parser.apply(def),
                "host:port (several comma-separated) or none", description, parser);
    }

    private static String scalar(Object raw) {
        if (raw == null || raw instanceof Map || raw instanceof List) {
            throw new IllegalArgumentException("not a scalar");
        }
        return raw.toString().trim();
    }

    @Override
    public String toString() {
        return name;
    }
}
