package dev.riffle.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    static final ConfigKey<Integer> PORT = ConfigKey.port("riemann_port", 5555, "");
    static final ConfigKey<String> BOOTSTRAP = ConfigKey.optionalString("kafka.bootstrap", "");
    static final ConfigKey<List<String>> ENVS = ConfigKey.list("topology.environments", List.of("production"), "");
    static final ConfigKey<Map<String, String>> FLEET = ConfigKey.map("topology.fleet_hosts", Map.of(), "");
    static final ConfigKey<List<HostPort>> GRAPHITE = ConfigKey.endpoints("graphite", "127.0.0.1:2003", "");
    static final List<ConfigKey<?>> KEYS = List.of(PORT, BOOTSTRAP, ENVS, FLEET, GRAPHITE);

    @TempDir
    Path dir;

    @Test
    void defaultsThenFileThenEnvironment() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, """
                riemann_port: 6000
                kafka:
                  bootstrap: broker:9092
                topology:
                  environments: [prod, test]
                  fleet_hosts: {prod: all.prod, "": all}
                """);
        Config c = Config.load(file, Map.of("RIFFLE_RIEMANN_PORT", "7000", "PATH", "/bin"), KEYS);
        assertEquals(7000, c.get(PORT));
        assertEquals("broker:9092", c.get(BOOTSTRAP));
        assertEquals(List.of("prod", "test"), c.get(ENVS));
        assertEquals(Map.of("prod", "all.prod", "", "all"), c.get(FLEET));
        assertEquals(List.of(new HostPort("127.0.0.1", 2003)), c.get(GRAPHITE));
    }

    @Test
    void environmentListsAndMapsAreCommaSeparated() {
        Config c = Config.load(null, Map.of("RIFFLE_TOPOLOGY_ENVIRONMENTS", "a, b",
                "RIFFLE_TOPOLOGY_FLEET_HOSTS", "a=all.a,=all", "RIFFLE_GRAPHITE", "none"), KEYS);
        assertEquals(List.of("a", "b"), c.get(ENVS));
        assertEquals(Map.of("a", "all.a", "", "all"), c.get(FLEET));
        assertEquals(List.of(), c.get(GRAPHITE));
    }

    @Test
    void badValueNamesTheKeyAndWhatWasExpected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.load(null, Map.of("RIFFLE_RIEMANN_PORT", "99999"), KEYS));
        assertTrue(e.getMessage().contains("riemann_port"), e.getMessage());
        assertTrue(e.getMessage().contains("RIFFLE_RIEMANN_PORT"), e.getMessage());
        assertTrue(e.getMessage().contains("an integer from 0 to 65535"), e.getMessage());
        assertThrows(ConfigException.class, () -> Config.load(null, Map.of("RIFFLE_GRAPHITE", "nohost"), KEYS));
    }

    @Test
    void unknownKeysFailInTheFileAndInTheEnvironment() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, "kafka:\n  bootstrapp: x:1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Config.load(file, Map.of(), KEYS));
        assertTrue(e.getMessage().contains("kafka.bootstrapp"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> Config.load(null, Map.of("RIFFLE_RIEMAN_PORT", "1"), KEYS));
        assertTrue(e.getMessage().contains("RIFFLE_RIEMAN_PORT"), e.getMessage());
    }

    @Test
    void missingOrInvalidFileFails() throws Exception {
        assertThrows(ConfigException.class, () -> Config.load(dir.resolve("nope.yml"), Map.of(), KEYS));
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, "riemann_port: [1, 2\n");
        assertThrows(ConfigException.class, () -> Config.load(file, Map.of(), KEYS));
    }
}
