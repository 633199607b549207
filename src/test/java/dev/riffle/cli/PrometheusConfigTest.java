package dev.riffle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad remote write setting stops {@code riffle sink} with exit 2 before it connects to anything. */
class PrometheusConfigTest {
    @TempDir
    Path dir;

    private String sink(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("riffle.yml"), yaml);
        StringWriter err = new StringWriter();
        int rc = Main.execute(new PrintWriter(err, true), "sink", "--config", file.toString());
        assertEquals(2, rc, err.toString());
        return err.toString();
    }

    @Test
    void aUrlThatIsNotHttpNamesTheKey() throws Exception {
        String err = sink("prometheus:\n  remote_write_url: ftp://127.0.0.1/api/v1/write\n");
        assertTrue(err.contains("prometheus.remote_write_url (RIFFLE_PROMETHEUS_REMOTE_WRITE_URL)")
                && err.contains("http:// or https://"), err);
    }

    @Test
    void aCaFileWithoutCertificatesNamesTheKey() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        String err = sink("prometheus:\n  remote_write_url: https://127.0.0.1:9090/api/v1/write\n  ca_file: " + ca
                + "\n");
        assertTrue(err.contains("prometheus.ca_file") && err.contains(ca.toString()), err);
    }
}
