package dev.riffle.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mail to a real SMTP server on loopback: credentials are used (wrong ones refused), a dead server is an error. */
class EmailChannelTest {
    private GreenMail smtp;
    private int port;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@example.com", "alerts", "s3cret"));
        smtp.start();
    }

    @AfterEach
    void stop() {
        smtp.stop();
    }

    private static Notice notice() {
        Notice.Item item = new Notice.Item("hot|p.a", "hot", Map.of("alertname", "hot", "series", "p.a"),
                "a is 9 (above 5)", 1_800_000_000_000L, 0, true);
        return new Notice("ops/email", List.of(new Notice.Group("hot", List.of(item), List.of())), false);
    }

    private EmailChannel channel(String user, String password) {
        return new EmailChannel("127.0.0.1", port, false, user, password, "riffle@example.com",
                List.of("ops@example.com", "oncall@example.com"), 25);
    }

    @Test
    void withTheRightCredentialsTheMailArrivesForEveryRecipient() throws Exception {
        channel("alerts", "s3cret").send(notice());
        MimeMessage[] got = smtp.getReceivedMessages();
        assertEquals(2, got.length, "one copy per recipient");
        assertEquals("[FIRING:1] hot", got[0].getSubject());
        assertEquals("firing", got[0].getHeader("X-Riffle-Status")[0]);
        assertTrue(got[0].getContent().toString().contains("FIRING   a is 9 (above 5)"));
    }

    @Test
    void wrongCredentialsAndADeadServerAreFailuresToRetry() {
        assertThrows(MessagingException.class, () -> channel("alerts", "wrong").send(notice()));
        assertEquals(0, smtp.getReceivedMessages().length);
        smtp.stop();
        assertThrows(MessagingException.class, () -> channel("", "").send(notice()));
    }
}
