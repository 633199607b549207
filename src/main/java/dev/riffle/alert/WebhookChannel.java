package dev.riffle.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP POST of Alertmanager's webhook JSON, version 4: {@code version, groupKey, truncatedAlerts, status,
 * receiver, groupLabels, commonLabels, commonAnnotations, externalURL, alerts[]} with each alert's
 * {@code status, labels (alertname = the rule), annotations.summary, startsAt, endsAt, generatorURL,
 * fingerprint}. A 2xx answer is delivery; anything else (or no answer in 10 s) is a failure to retry.
 */
final class WebhookChannel implements Channel {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** what Alertmanager sends as endsAt of an alert still firing */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final String receiver;
    private final URI url;
    private final String externalUrl;
    private final int maxListed;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WebhookChannel(String receiver, URI url, String externalUrl, int maxListed) {
        this.receiver = receiver;
        this.url = url;
        this.externalUrl = externalUrl;
        this.maxListed = maxListed;
    }

    @Override
    public void send(Notice n) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", "riffle-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(n))).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("webhook " + url + " answered HTTP " + response.statusCode());
        }
    }

    byte[] body(Notice n) throws IOException {
        List<Notice.Item> items = n.items();
        List<Notice.Item> listed = items.subList(0, Math.min(maxListed, items.size()));
        Map<String, String> groupLabels = n.digest() ? Map.of() : Map.of("alertname", n.groups().get(0).rule());
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "4");
        root.put("groupKey", "{}:" + labelSet(groupLabels));
        root.put("truncatedAlerts", items.size() - listed.size());
        root.put("status", n.status());
        root.put("receiver", receiver);
        putMap(root.putObject("groupLabels"), groupLabels);
        putMap(root.putObject("commonLabels"), common(listed.stream().map(Notice.Item::labels).toList()));
        putMap(root.putObject("commonAnnotations"), common(listed.stream()
                .map(i -> Map.of("summary", i.summary())).toList()));
        root.put("externalURL", externalUrl);
        ArrayNode alerts = root.putArray("alerts");
        for (Notice.Item it : listed) {
            ObjectNode a = alerts.addObject();
            a.put("status", it.firing() ? "firing" : "resolved");
            putMap(a.putObject("labels"), it.labels());
            a.putObject("annotations").put("summary", it.summary());
            a.put("startsAt", Instant.ofEpochMilli(it.startsAtMs()).toString());
            a.put("endsAt", it.firing() ? ZERO_TIME : Instant.ofEpochMilli(it.endsAtMs()).toString());
            a.put("generatorURL", externalUrl);
            a.put("fingerprint", fingerprint(it.key()));
        }
        return JSON.writeValueAsBytes(root);
    }

    private static void putMap(ObjectNode node, Map<String, String> map) {
        new TreeMap<>(map).forEach(node::put);
    }

    /** The label pairs every map has in common. */
    private static Map<String, String> common(List<Map<String, String>> maps) {
        if (maps.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>(maps.get(0));
        for (Map<String, String> m : maps) {
            out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
        }
        return out;
    }

    private static String labelSet(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("{");
        new TreeMap<>(labels).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append("=\"")
                .append(v.replace("\"", "\\\"")).append('"'));
        return b.append('}').toString();
    }

    private static String fingerprint(String key) {
        long h = 1125899906842597L;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return String.format("%016x", h);
    }
}
