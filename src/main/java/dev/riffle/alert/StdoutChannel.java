package dev.riffle.alert;

import java.io.PrintStream;

/** Prints each notice to stdout (the receiver of {@code riffle run} when none is configured). */
final class StdoutChannel implements Channel {
    private final PrintStream out;
    private final int maxListed;

    StdoutChannel(PrintStream out, int maxListed) {
        this.out = out;
        this.maxListed = maxListed;
    }

    @Override
    public void send(Notice n) {
        synchronized (out) {
            out.print("ALERT " + n.text(maxListed).replace("\n\n", "\n").replace("\n", "\n      ").stripTrailing()
                    + "\n");
            out.flush();
        }
    }
}
