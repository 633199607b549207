package dev.riffle.alert;

import dev.riffle.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/** The {@code alerts:} section: rules, receivers, the notifier's timing, SMTP, and the alert stage's topics. */
public final class AlertKeys {
    private AlertKeys() {
    }

    public static final ConfigKey<List<Rule>> RULES = ConfigKey.structured("alerts.rules", List.of(),
            "a list of rules (name, match, above|below|absent_for|state, for, keep_firing_for, labels, summary)",
            "alert rules; none = no alert stage in riffle run (see Alerts)", RulesParser::rules);
    public static final ConfigKey<List<Receiver>> RECEIVERS = ConfigKey.structured("alerts.receivers", List.of(),
            "a list of receivers (name, match, webhook, email: {to, from}, stdout)",
            "where notifications go; none = stdout", RulesParser::receivers);
    public static final ConfigKey<Duration> GROUP_WAIT = ConfigKey.duration("alerts.group_wait", "10s",
            "how long a new group of alerts (one rule, one receiver) waits for more before its first message");
    public static final ConfigKey<Duration> GROUP_INTERVAL = ConfigKey.duration("alerts.group_interval", "1m",
            "least time between two messages of one group when alerts are added or resolved");
    public static final ConfigKey<Duration> REPEAT_INTERVAL = ConfigKey.duration("alerts.repeat_interval", "4h",
            "a group whose alerts still fire is sent again after this");
    public static final ConfigKey<Integer> RATE_LIMIT = ConfigKey.integer("alerts.rate_limit_per_hour", 20, 1,
            1_000_000, "messages one receiver gets per hour at most; past it, what is due goes out as one digest");
    public static final ConfigKey<Integer> MAX_LISTED = ConfigKey.integer("alerts.max_alerts_listed", 25, 1, 10_000,
            "alerts listed in one message; the rest are counted (\"and 37 more\")");
    public static final ConfigKey<Duration> RETRY_MAX = ConfigKey.duration("alerts.retry_max", "1m",
            "the longest wait between two tries to reach a receiver that is down (backoff doubles from 1s)");
    public static final ConfigKey<Duration> NOTIFY_MAX_AGE = ConfigKey.duration("alerts.notify_max_age", "1h",
            "a transition older than this (its event time against the wall clock) is kept but never notified: "
                    + "backfills and old history stay silent");
    public static final ConfigKey<Integer> MAX_SERIES = ConfigKey.integer("alerts.max_series", 1_000_000, 1,
            1_000_000_000, "(rule, series) states one evaluator task keeps at most; past it new series are "
                    + "counted and not tracked");
    public static final ConfigKey<Integer> MATCH_CACHE = ConfigKey.integer("alerts.match_cache", 200_000, 1,
            100_000_000, "series whose matching rules one evaluator task remembers (each series is matched against "
                    + "the rules once); a larger fleet per task is still evaluated, matching more often");
    public static final ConfigKey<Integer> THREADS = ConfigKey.integer("alerts.threads", 1, 1, 64,
            "stream threads of the rule evaluator (it also scales out: several riffle alerts share the partitions)");
    public static final ConfigKey<String> TOPIC = ConfigKey.string("alerts.topic", "riffle-alerts",
            "compacted topic of alert transitions, key = rule|series");
    public static final ConfigKey<String> SILENCES_TOPIC = ConfigKey.string("alerts.silences_topic",
            "riffle-silences", "compacted topic of silences (riffle silence add|list|expire)");
    public static final ConfigKey<String> DELIVERIES_TOPIC = ConfigKey.string("alerts.deliveries_topic",
            "riffle-alert-deliveries", "compacted topic where the notifier records what each receiver got");
    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.string("alerts.application_id", "riffle-alerts",
            "Kafka Streams application id of the rule evaluator (its state stores and consumer group)");
    public static final ConfigKey<String> NOTIFIER_GROUP = ConfigKey.string("alerts.notifier_group",
            "riffle-notifier", "consumer group of the notifier on the alerts topic");
    public static final ConfigKey<String> SMTP_HOST = ConfigKey.string("alerts.smtp.host", "127.0.0.1",
            "SMTP server for email receivers");
    public static final ConfigKey<Integer> SMTP_PORT = ConfigKey.port("alerts.smtp.port", 25, "SMTP port");
    public static final ConfigKey<String> SMTP_FROM = ConfigKey.string("alerts.smtp.from", "riffle@localhost",
            "From address of alert mail (a receiver's email.from wins)");
    public static final ConfigKey<Boolean> SMTP_STARTTLS = ConfigKey.bool("alerts.smtp.starttls", false,
            "require STARTTLS before sending (the server's certificate is checked)");
    public static final ConfigKey<String> SMTP_USERNAME = ConfigKey.optionalString("alerts.smtp.username",
            "SMTP login (empty = no AUTH)");
    public static final ConfigKey<String> SMTP_PASSWORD = ConfigKey.optionalString("alerts.smtp.password",
            "SMTP password; better set as RIFFLE_ALERTS_SMTP_PASSWORD than in the file");
    public static final ConfigKey<String> EXTERNAL_URL = ConfigKey.string("alerts.external_url",
            "http://localhost/", "externalURL in webhook messages (a link to where a human looks)");

    public static final List<dev.riffle.config.ConfigKey<?>> ALL = List.of(RULES, RECEIVERS, GROUP_WAIT,
            GROUP_INTERVAL, REPEAT_INTERVAL, RATE_LIMIT, MAX_LISTED, RETRY_MAX, NOTIFY_MAX_AGE, MAX_SERIES, MATCH_CACHE,
            THREADS, TOPIC, SILENCES_TOPIC, DELIVERIES_TOPIC, APPLICATION_ID, NOTIFIER_GROUP, SMTP_HOST, SMTP_PORT,
            SMTP_FROM, SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD, EXTERNAL_URL);
}
