package dev.riffle.bench.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches one process through Linux's /proc: CPU time (utime + stime of /proc/PID/stat), resident memory (VmRSS
 * sampled every 250 ms, and the kernel's own peak VmHWM), and for a JVM started with {@code -Xlog:gc:file=F} the
 * heap in use before each collection, read from F as it grows. A step takes a {@link Mark} at its start and asks
 * for the {@link Usage} since.
 */
final class ProcWatch implements AutoCloseable {
    /** Clock ticks per second of /proc/PID/stat; 100 on every Linux this runs on (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final Pattern GC_PAUSE = Pattern.compile("Pause .* ([0-9.]+)ms$");

    record Mark(long nanos, long cpuTicks) {
    }

    /**
     * Over a step: CPU seconds and cores used, peak RSS, the process's VmHWM so far, peak heap (-1 unknown), full
     * collections and the longest GC pause (ms).
     */
    record Usage(double seconds, double cpuSeconds, long peakRssKiB, long hwmKiB, long peakHeapMiB,
                 long liveHeapMiB, int fullGcs, double longestPauseMs) {
        double cores() {
            return seconds <= 0 ? 0 : cpuSeconds / seconds;
        }
    }

    private final long pid;
    private final Path gcLog;
    private final ScheduledExecutorService sampler;
    private final AtomicLong peakRss = new AtomicLong();
    private final AtomicLong peakHeap = new AtomicLong(-1);
    /** the largest heap left after a collection: the live set's high-water mark */
    private final AtomicLong liveHeap = new AtomicLong(-1);
    private int fullGcs;
    private double longestPause;
    private long gcLogOffset;
    private final StringBuilder gcPartial = new StringBuilder();

    /** @param gcLog the JVM's -Xlog:gc file, or null for a process that is not a JVM */
    ProcWatch(long pid, Path gcLog) {
        this.pid = pid;
        this.gcLog = gcLog;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "proc-watch-" + pid);
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 250, TimeUnit.MILLISECONDS);
    }

    long pid() {
        return pid;
    }

    Mark mark() {
        sample();
        peakRss.set(statusKiB("VmRSS"));
        peakHeap.set(-1);
        liveHeap.set(-1);
        synchronized (this) {
            fullGcs = 0;
            longestPause = 0;
        }
        return new Mark(System.nanoTime(), cpuTicks(pid));
    }

    Usage since(Mark mark) {
        sample();
        double seconds = (System.nanoTime() - mark.nanos()) / 1e9;
        double cpu = (cpuTicks(pid) - mark.cpuTicks()) / TICKS_PER_SECOND;
        synchronized (this) {
            return new Usage(seconds, cpu, peakRss.get(), statusKiB("VmHWM"), peakHeap.get(), liveHeap.get(), fullGcs,
                    longestPause);
        }
    }

    private synchronized void sample() {
        long rss = statusKiB("VmRSS");
        peakRss.accumulateAndGet(rss, Math::max);
        if (gcLog != null) {
            readGcLog();
        }
    }

    private void readGcLog() {
        if (!Files.exists(gcLog)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(gcLog.toFile(), "r")) {
            long length = f.length();
            if (length < gcLogOffset) {
                gcLogOffset = 0; // rotated
            }
            int toRead = (int) Math.min(length - gcLogOffset, 1 << 20);
            if (toRead <= 0) {
                return;
            }
            byte[] b = new byte[toRead];
            f.seek(gcLogOffset);
            f.readFully(b);
            gcLogOffset += toRead;
            gcPartial.append(new String(b, StandardCharsets.UTF_8));
            int nl;
            while ((nl = gcPartial.indexOf("\n")) >= 0) {
                String line = gcPartial.substring(0, nl);
                long before = heapBeforeMiB(line);
                if (before >= 0) {
                    peakHeap.accumulateAndGet(before, Math::max);
                    liveHeap.accumulateAndGet(heapAfterMiB(line), Math::max);
                }
                if (line.contains("Pause Full")) {
                    fullGcs++;
                }
                longestPause = Math.max(longestPause, pauseMillis(line));
                gcPartial.delete(0, nl + 1);
            }
            if (gcPartial.length() > 64 * 1024) {
                gcPartial.setLength(0); // no newline in 64 KiB: not a gc log line
            }
        } catch (IOException e) {
            // the file went away with the process
        }
    }

    /** Heap in use before the collection of one {@code -Xlog:gc} line, in MiB; -1 when the line has none. */
    static long heapBeforeMiB(String line) {
        Matcher m = GC_HEAP.matcher(line);
        if (!m.find()) {
            return -1;
        }
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** Heap in use after the collection of one {@code -Xlog:gc} line, in MiB; -1 when the line has none. */
    static long heapAfterMiB(String line) {
        Matcher m = GC_HEAP.matcher(line);
        return m.find() ? mib(Long.parseLong(m.group(3)), m.group(4)) : -1;
    }

    private static long mib(long v, String unit) {
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** The pause of one {@code -Xlog:gc} line in ms; 0 when the line is not a pause. */
    static double pauseMillis(String line) {
        Matcher m = GC_PAUSE.matcher(line.trim());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private long statusKiB(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return 0;
    }

    /** utime + stime of a process, in clock ticks; 0 when it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name may hold spaces and parentheses: fields are counted after its last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Datagrams the kernel dropped at the UDP sockets bound to a local port (a full receive buffer, mostly): the
     * last column of /proc/net/udp and udp6 (Java's sockets are IPv6 ones even on 127.0.0.1); -1 when unknown.
     * Unlike RcvbufErrors of /proc/net/snmp, other processes' drops on the machine are not in it.
     */
    static long socketDrops(int port) {
        String local = String.format(java.util.Locale.ROOT, ":%04X", port);
        long drops = 0;
        boolean found = false;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 12 && f[1].endsWith(local)) {
                        drops += Long.parseLong(f[f.length - 1]);
                        found = true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6): the other one tells
            }
        }
        return found ? drops : -1;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
