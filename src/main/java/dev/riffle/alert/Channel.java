package dev.riffle.alert;

/** One way of delivering a notice (a webhook, mail, stdout); throws when the receiver did not take it. */
interface Channel {
    void send(Notice notice) throws Exception;
}
