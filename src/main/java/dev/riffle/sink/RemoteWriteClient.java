package dev.riffle.sink;

import dev.riffle.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * POSTs remote write requests to one URL with {@link HttpClient}: the protocol's headers, optional basic auth or a
 * bearer token (each secret read from its file at every request, so a rotated token is picked up), TLS against a
 * CA file or the JVM's trust store, a connect and request timeout. It classifies the answer and never throws.
 */
final class RemoteWriteClient {
    static final String VERSION = "0.1.0";
    private static final int MAX_DETAIL = 300;

    /** What became of a request. */
    enum Outcome {
        /** 2xx: the receiver stored the samples */
        STORED,
        /** a 4xx that will not succeed if sent again (bad samples, wrong credentials, wrong URL) */
        REFUSED,
        /** 429, 5xx, a timeout, no connection: worth sending again later */
        RETRY
    }

    /** The outcome with the status (0 without an answer) and a short reason for logs. */
    record Answer(Outcome outcome, int status, String detail) {
    }

    private final URI url;
    private final HttpClient http;
    private final Duration timeout;
    private final Path bearerTokenFile;
    private final String basicUser;
    private final Path basicPasswordFile;
    private final String tenant;

    /**
     * @param caFile PEM certificates to trust for https instead of the JVM's trust store; null for the trust store
     * @param bearerTokenFile file holding a bearer token, or null
     * @param basicUser basic auth user, or null; its password is in {@code basicPasswordFile}
     * @param tenant sent as {@code X-Scope-OrgID} (Mimir, Cortex), or null
     */
    RemoteWriteClient(String url, Duration timeout, Path caFile, Path bearerTokenFile, String basicUser,
                      Path basicPasswordFile, String tenant) {
        this.url = parse(url);
        this.timeout = timeout;
        this.bearerTokenFile = bearerTokenFile;
        this.basicUser = basicUser;
        this.basicPasswordFile = basicPasswordFile;
        this.tenant = tenant;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER);
        if (caFile != null) {
            b.sslContext(trusting(caFile));
        }
        this.http = b.build();
    }

    static URI parse(String url) {
        try {
            URI u = new URI(url);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new URISyntaxException(url, "expected an http:// or https:// URL with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(SinkKeys.PROMETHEUS_URL.name() + " (" + SinkKeys.PROMETHEUS_URL.envName()
                    + "): " + e.getMessage());
        }
    }

    /** An SSL context that trusts exactly the certificates of a PEM file. */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new ConfigException(SinkKeys.PROMETHEUS_CA_FILE.name() + ": no certificate in " + caFile);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(SinkKeys.PROMETHEUS_CA_FILE.name() + " (" + SinkKeys.PROMETHEUS_CA_FILE.envName()
                    + "): cannot read CA certificates from " + caFile + ": " + e.getMessage());
        }
    }

    URI url() {
        return url;
    }

    /** Sends one snappy-compressed WriteRequest and says what became of it. */
    Answer post(byte[] body) {
        HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("User-Agent", "riffle")
                .header("X-Prometheus-Remote-Write-Version", VERSION)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (tenant != null) {
            r.header("X-Scope-OrgID", tenant);
        }
        try {
            if (bearerTokenFile != null) {
                r.header("Authorization", "Bearer " + secret(bearerTokenFile));
            } else if (basicUser != null) {
                String pair = basicUser + ":" + (basicPasswordFile == null ? "" : secret(basicPasswordFile));
                r.header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            return new Answer(Outcome.RETRY, 0, "cannot read a credentials file: " + e);
        }
        HttpResponse<String> answer;
        try {
            answer = http.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            return new Answer(Outcome.RETRY, 0, "no answer within " + timeout.toMillis() + " ms");
        } catch (ConnectException e) {
            return new Answer(Outcome.RETRY, 0, "cannot connect: " + (e.getMessage() == null ? e : e.getMessage()));
        } catch (IOException e) {
            return new Answer(Outcome.RETRY, 0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Outcome.RETRY, 0, "interrupted");
        }
        int status = answer.statusCode();
        String text = shorten(answer.body());
        String detail = "HTTP " + status + (text.isEmpty() ? "" : " " + text);
        if (status >= 200 && status < 300) {
            return new Answer(Outcome.STORED, status, detail);
        }
        // 429 and 5xx may pass later; 408 (request timeout) too; any other answer will be the same next time
        boolean retry = status == 429 || status == 408 || status >= 500 || status < 200;
        return new Answer(retry ? Outcome.RETRY : Outcome.REFUSED, status, detail);
    }

    private static String secret(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    private static String shorten(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "..." : s;
    }
}
