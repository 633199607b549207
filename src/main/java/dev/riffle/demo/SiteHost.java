package dev.riffle.demo;

import dev.riffle.client.Histogram;
import dev.riffle.client.Meter;
import dev.riffle.client.Occurrence;
import dev.riffle.client.Riffle;
import dev.riffle.client.Timer;

/**
 * One machine of the demo site, with its own client as a real application would have: the instruments its web
 * application fires.
 */
final class SiteHost {
    final String name;
    final String environment;
    final Riffle metrics;
    final Meter pageViews;
    final Occurrence signups;
    final Occurrence deploys;
    final Timer searchTime;
    final Timer renderTime;
    final Histogram searchResults;

    SiteHost(String name, String environment, Riffle metrics) {
        this.name = name;
        this.environment = environment;
        this.metrics = metrics;
        pageViews = metrics.meter("page-views");
        signups = metrics.occurrence("signups");
        deploys = metrics.occurrence("deploys");
        searchTime = metrics.timer("search-time");
        renderTime = metrics.timer("render-time");
        searchResults = metrics.histogram("search-results");
    }

    @Override
    public String toString() {
        return name + " (" + environment + ")";
    }
}
