package dev.riffle.client;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Holds the client's log lines for a test instead of printing them, so tests stay quiet and can check them. */
final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger = FailureLog.LOG;
    private final boolean parentHandlers = logger.getUseParentHandlers();
    private final List<String> lines = new ArrayList<>();

    CapturedLog() {
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        lines.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
