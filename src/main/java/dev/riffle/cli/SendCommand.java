package dev.riffle.cli;

import dev.riffle.client.RiemannMessage;
import dev.riffle.config.Config;
import dev.riffle.config.HostPort;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code riffle send}: fire Riemann protobuf events at a bridge, as any Riemann client would. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send Riemann protobuf events to the bridge. Over TCP (the default) every message must be "
                + "acknowledged, else the exit code is 1.")
final class SendCommand implements Callable<Integer> {
    @Mixin
    Settings settings = new Settings();

    @Option(names = "--host", description = "event host (default: this machine's name)")
    String host;

    @Option(names = "--service", required = true, description = "event service, e.g. 'api requests'")
    String service;

    @Option(names = {"--tag", "-t"}, description = "a tag; repeat for several (e.g. --tag production --tag meter)")
    List<String> tags = new ArrayList<>();

    @Option(names = "--metric", description = "metric value (default: none; a meter counts it as 1)")
    Double metric;

    @Option(names = "--ttl", description = "seconds the event stays valid")
    Float ttl;

    @Option(names = "--state", description = "event state, e.g. ok")
    String state;

    @Option(names = "--description", description = "event description")
    String description;

    @Option(names = "--count", defaultValue = "1", description = "how many identical events to send (default 1)")
    int count;

    @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "bridge address (default: the configured bind address and Riemann port)")
    String to;

    static final class Transport {
        @Option(names = "--udp", description = "send over UDP, one event per datagram, no acknowledgement")
        boolean udp;
        @Option(names = "--tcp", description = "send over TCP and wait for every acknowledgement (default)")
        boolean tcp;
    }

    @ArgGroup(exclusive = true)
    Transport transport = new Transport();

    private static final int EVENTS_PER_MESSAGE = 100;

    @Override
    public Integer call() throws Exception {
        Config config = settings.load();
        HostPort target = DemoCommand.bridgeAddress(config, to);
        String eventHost = host != null ? host : InetAddress.getLocalHost().getHostName();
        String[] tagArray = tags.toArray(String[]::new);
        if (count < 1) {
            System.err.println("riffle send: --count must be at least 1");
            return Main.BAD_CONFIG;
        }
        List<byte[]> messages = new ArrayList<>();
        RiemannMessage msg = new RiemannMessage();
        int perMessage = transport.udp ? 1 : EVENTS_PER_MESSAGE;
        for (int i = 0; i < count; i++) {
            long nowMicros = System.currentTimeMillis() * 1000L;
            msg.event(nowMicros, eventHost, service, state, description, metric, ttl, Map.of(), tagArray);
            if (msg.events() == perMessage || i == count - 1) {
                messages.add(msg.toBytes());
                msg.clear();
            }
        }
        return transport.udp ? sendUdp(target, messages) : sendTcp(target, messages);
    }

    private int sendUdp(HostPort target, List<byte[]> messages) throws IOException {
        InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
        try (DatagramSocket socket = new DatagramSocket()) {
            for (byte[] m : messages) {
                socket.send(new DatagramPacket(m, m.length, address));
            }
        }
        System.err.println("sent " + count + " events over UDP to " + target);
        return 0;
    }

    private int sendTcp(HostPort target, List<byte[]> messages) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), 5_000);
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            for (byte[] m : messages) {
                out.writeInt(m.length);
                out.write(m);
            }
            out.flush();
            for (int i = 0; i < messages.size(); i++) {
                int length = in.readInt();
                if (length < 0 || length > 1 << 20) {
                    System.err.println("riffle send: unreadable reply from " + target);
                    return 1;
                }
                byte[] reply = in.readNBytes(length);
                String error = RiemannMessage.replyError(reply);
                if (error != null) {
                    System.err.println("riffle send: the bridge refused a message: " + error);
                    return 1;
                }
            }
        } catch (IOException e) {
            System.err.println("riffle send: no acknowledgement from " + target + ": " + e);
            return 1;
        }
        System.err.println("sent " + count + " events over TCP to " + target + ", all acknowledged");
        return 0;
    }
}
