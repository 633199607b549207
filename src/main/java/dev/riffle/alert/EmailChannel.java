package dev.riffle.alert;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Properties;

/**
 * Mail over SMTP (Jakarta Mail, Eclipse Angus): plain text, subject = the notice's title
 * ({@code [FIRING:3] slow-search}), body = one line per alert and "and N more"; STARTTLS required when
 * {@code alerts.smtp.starttls}, AUTH when a username is set. Connect/read/write time out after 10 s.
 */
final class EmailChannel implements Channel {
    private final Session session;
    private final String from;
    private final List<String> to;
    private final String username;
    private final String password;
    private final int maxListed;

    EmailChannel(String host, int port, boolean starttls, String username, String password, String from,
                 List<String> to, int maxListed) {
        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.connectiontimeout", "10000");
        p.put("mail.smtp.timeout", "10000");
        p.put("mail.smtp.writetimeout", "10000");
        if (starttls) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.checkserveridentity", "true");
        }
        if (!username.isEmpty()) {
            p.put("mail.smtp.auth", "true");
        }
        this.session = Session.getInstance(p);
        this.from = from;
        this.to = to;
        this.username = username;
        this.password = password;
        this.maxListed = maxListed;
    }

    @Override
    public void send(Notice n) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        for (String address : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(address));
        }
        m.setSubject(n.title(), "UTF-8");
        m.setText(n.text(maxListed), "UTF-8");
        m.setHeader("X-Riffle-Status", n.status());
        m.setSentDate(new java.util.Date());
        if (username.isEmpty()) {
            Transport.send(m);
        } else {
            Transport.send(m, username, password);
        }
    }
}
