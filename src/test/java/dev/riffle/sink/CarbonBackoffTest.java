package dev.riffle.sink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.config.HostPort;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** However long carbon has been down, the next attempt with the default settings is due within a few seconds. */
class CarbonBackoffTest {
    @Test
    void withTheDefaultBackoffTheNextAttemptIsNeverMoreThanTwoSecondsAway() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free once closed: every connect is refused
        }
        CarbonConnection carbon = new CarbonConnection(new HostPort("127.0.0.1", port),
                SinkKeys.MAX_BACKOFF_MS.defaultValue());
        try (Selector selector = Selector.open()) {
            for (int attempt = 0; attempt < 12; attempt++) { // 100 ms doubled 12 times would be 7 minutes
                assertFalse(carbon.connect(selector, 1_000));
            }
            long wait = carbon.nextAttemptNanos() - System.nanoTime();
            assertTrue(wait <= TimeUnit.MILLISECONDS.toNanos(2_000), "next attempt in " + wait / 1_000_000 + " ms");
        }
    }
}
