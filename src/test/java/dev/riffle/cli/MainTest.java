package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(err, true), args);
        assertEquals(expectedExit, rc, err.toString());
        return err.toString();
    }

    @Test
    void badValueInConfigFileExitsTwoNamingTheKey() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, "riemann_port: lots\n");
        String err = run(2, "topology", "--config", file.toString());
        assertTrue(err.contains("riemann_port") && err.contains("an integer from 0 to 65535"), err);
    }

    @Test
    void unknownKeyInConfigFileExitsTwo() throws Exception {
        Path file = dir.resolve("riffle.yml");
        Files.writeString(file, "graphite: 127.0.0.1:2003\ngrahpite_port: 1\n");
        String err = run(2, "run", "--config", file.toString());
        assertTrue(err.contains("unknown key 'grahpite_port'"), err);
    }

    @Test
    void unknownOptionExitsTwo() {
        String err = run(2, "send", "--service", "x", "--bogus");
        assertTrue(err.contains("--bogus"), err);
    }

    @Test
    void malformedBridgeAddressExitsTwo() {
        String err = run(2, "send", "--service", "x", "--to", "nohost");
        assertTrue(err.contains("--to") && err.contains("host:port"), err);
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"run", "bridge", "streams", "sink", "send", "topology"}) {
            StringWriter out = new StringWriter();
            picocli.CommandLine cli = new picocli.CommandLine(new Main());
            cli.setOut(new PrintWriter(out, true));
            assertEquals(0, cli.execute(cmd, "--help"), cmd);
            assertTrue(out.toString().contains("Usage: riffle " + cmd), out.toString());
        }
    }

    @Test
    void sendFailsWhenNothingAcknowledges() throws Exception {
        int freePort;
        try (var s = new java.net.ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        run(1, "send", "--service", "x", "--to", "127.0.0.1:" + freePort);
    }
}
