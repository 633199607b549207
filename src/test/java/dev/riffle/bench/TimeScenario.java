package dev.riffle.bench;

import dev.riffle.client.RiemannMessage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Client traffic for scripts/time-scenarios: honest hosts and one host with a fast clock send meters with
 * their own time (Riemann TCP, Msgs of 10 pipelined, oks counted by a reader thread), and optionally the bridge's JVM is stopped whole
 * (SIGSTOP) while client-stamped UDP events keep coming. Prints what was acknowledged or sent.
 *
 * <p>Args: riemannPort seconds hosts fastMs eventsPerSecond [pidToStop stopAtSecond stopForSeconds]
 */
public final class TimeScenario {
    private TimeScenario() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int seconds = Integer.parseInt(args[1]);
        int hosts = Integer.parseInt(args[2]);
        long fastMs = Long.parseLong(args[3]);
        int rate = Integer.parseInt(args[4]);
        long pid = args.length > 5 ? Long.parseLong(args[5]) : -1;
        int stopAt = args.length > 6 ? Integer.parseInt(args[6]) : -1;
        int stopFor = args.length > 7 ? Integer.parseInt(args[7]) : 0;
        InetAddress lo = InetAddress.getLoopbackAddress();
        long acked = 0;
        long fastAcked = 0;
        long udpSent = 0;
        int perMsg = 10;
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000L;
        boolean stopped = false;
        java.util.concurrent.atomic.AtomicLong oks = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Integer> fastPerMsg = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong fastOks = new java.util.concurrent.atomic.AtomicLong();
        long msgs = 0;
        try (Socket s = new Socket(lo, port); DatagramSocket udp = new DatagramSocket()) {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
            DataInputStream in = new DataInputStream(s.getInputStream());
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        boolean ok = RiemannMessage.replyError(in.readNBytes(in.readInt())) == null;
                        Integer fast = fastPerMsg.poll();
                        if (ok) {
                            oks.addAndGet(perMsg);
                            fastOks.addAndGet(fast == null ? 0 : fast);
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the end
                }
            });
            reader.setDaemon(true);
            reader.start();
            long sent = 0;
            for (int round = 0; System.currentTimeMillis() < end && round < 10_000_000; round++) {
                long now = System.currentTimeMillis();
                if (pid > 0 && !stopped && now >= start + stopAt * 1000L) {
                    signal(pid, "STOP");
                    stopped = true;
                    long resume = now + stopFor * 1000L;
                    while (System.currentTimeMillis() < resume) { // the kernel queues these meanwhile
                        byte[] u = new RiemannMessage().event(System.currentTimeMillis() * 1000, "udp-during-stop",
                                "req", null, null, 1.0, null, Map.of(), "production", "meter").toBytes();
                        udp.send(new DatagramPacket(u, u.length, lo, port));
                        udpSent++;
                        Thread.sleep(20);
                    }
                    signal(pid, "CONT");
                    continue;
                }
                long due = start + sent * 1000 / rate;
                if (now < due) {
                    Thread.sleep(Math.min(50, due - now));
                    continue;
                }
                RiemannMessage msg = new RiemannMessage();
                int fast = 0;
                for (int i = 0; i < perMsg; i++) {
                    int h = (int) ((sent + i) % (hosts + 1));
                    boolean isFast = h == hosts;
                    fast += isFast ? 1 : 0;
                    msg.event((isFast ? now + fastMs : now) * 1000, isFast ? "fast" : "h" + h, "req", null, null,
                            1.0, null, Map.of(), "production", "meter");
                }
                byte[] bytes = msg.toBytes();
                fastPerMsg.add(fast);
                out.writeInt(bytes.length);
                out.write(bytes);
                out.flush();
                msgs++;
                sent += perMsg;
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (oks.get() < msgs * perMsg && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            acked = oks.get();
            fastAcked = fastOks.get();
        }
        System.out.println("acked " + acked + " (fast host " + fastAcked + ", honest " + (acked - fastAcked)
                + "), udp sent during stop " + udpSent);
    }

    static void signal(long pid, String signal) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
}
