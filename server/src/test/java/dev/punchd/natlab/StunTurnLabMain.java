package dev.punchd.natlab;

import dev.punchd.discovery.stun.BindingResult;
import dev.punchd.discovery.stun.NatMapping;
import dev.punchd.discovery.stun.NatMappingProbe;
import dev.punchd.discovery.stun.StunBindingClient;
import dev.punchd.engine.HostPort;
import dev.punchd.engine.PortRange;
import dev.punchd.relay.RelayedConnection;
import dev.punchd.relay.TurnAllocation;
import dev.punchd.relay.TurnServer;
import dev.punchd.relay.TurnSettings;
import dev.punchd.stun.Dialer;
import dev.punchd.testing.RandomBytes;
import dev.punchd.transport.SharedPort;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The STUN/TURN client run inside a lab host by {@link StunTurnLabTest}; prints one line per result.
 * <ul>
 *   <li>{@code probe STUN_SERVER}: {@code MAPPING <behaviour> <port preserved> <mapped addresses>}</li>
 *   <li>{@code relay TURN_SERVER USER PASSWORD PEER_IP BYTES}: allocates, permits PEER_IP, prints
 *       {@code RELAYED ip:port}, accepts one connection, says {@code READY}, reads BYTES and answers their
 *       SHA-256 in hex</li>
 *   <li>{@code send RELAYED BYTES}: connects, waits for {@code READY}, sends BYTES random bytes, prints
 *       {@code DIGESTS <sent> <answered>}</li>
 * </ul>
 */
final class StunTurnLabMain {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final int CHUNK = 16 * 1024;
  private static final byte[] READY = "READY\n".getBytes(StandardCharsets.US_ASCII);

  private StunTurnLabMain() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "probe" -> probe(HostPort.parse(args[1]));
      case "relay" -> relay(new TurnServer(HostPort.parse(args[1]), args[2], args[3]),
          InetAddress.getByName(args[4]), Integer.parseInt(args[5]));
      case "send" -> send(HostPort.parse(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  private static void probe(InetSocketAddress server) throws Exception {
    try (SharedPort port = SharedPort.bind(PortRange.ANY)) {
      NatMapping mapping = new NatMappingProbe(new StunBindingClient(port::dial, TIMEOUT)).probe(List.of(server));
      System.out.println("MAPPING " + mapping.behaviour() + " " + mapping.portPreserved() + " "
          + mapping.observations().stream().map(BindingResult::mapped).map(HostPort::format).toList());
    }
  }

  private static void relay(TurnServer server, InetAddress peer, int bytes) throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (TurnAllocation allocation = TurnAllocation.allocate(server, Dialer.ephemeral(), TurnSettings.DEFAULTS,
        scheduler)) {
      allocation.permit(List.of(peer));
      System.out.println("RELAYED " + HostPort.format(allocation.relayedAddress()));
      try (RelayedConnection connection = allocation.accept()) {
        System.out.println("ACCEPTED " + HostPort.format(connection.peer()));
        OutputStream out = connection.socket().getOutputStream();
        out.write(READY);
        out.flush();
        byte[] received = new byte[bytes];
        connection.socket().setSoTimeout((int) TIMEOUT.toMillis());
        new DataInputStream(connection.socket().getInputStream()).readFully(received);
        out.write((hex(MessageDigest.getInstance("SHA-256").digest(received)) + "\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try {
          connection.socket().getInputStream().read(); // until the peer has read the answer and closes
        } catch (SocketException closedByPeer) {
          // coturn turns the peer's FIN into a reset
        }
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static void send(InetSocketAddress relayed, int bytes) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(relayed, (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      // coturn keeps only 64 KiB of what a peer sends before ConnectionBind: wait for the relay side's word.
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      if (!"READY".equals(in.readLine())) {
        throw new IllegalStateException("the relay side did not say READY");
      }
      RandomBytes data = new RandomBytes(13);
      for (int sent = 0; sent < bytes; sent += CHUNK) {
        socket.getOutputStream().write(data.next(Math.min(CHUNK, bytes - sent)));
      }
      String answer = in.readLine();
      System.out.println("DIGESTS " + hex(RandomBytes.digestOf(13, bytes, CHUNK)) + " " + answer);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
