package dev.riffle.client;

/** The five metric types, each named by the tag that tells Riffle's topology how to aggregate its events. */
enum Kind {
    METER("meter"),
    OCCURRENCE("occurrence"),
    HISTOGRAM("histogram"),
    GAUGE("gauge"),
    TIMER("timer");

    final String tag;

    Kind(String tag) {
        this.tag = tag;
    }
}
