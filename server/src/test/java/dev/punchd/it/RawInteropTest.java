package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.StreamRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RAW mode against a peer that is no punchd at all: a plain socket that, like {@code nc -p LOCALPORT HOST
 * PORT}, dials the sidecar's port from a fixed local port until it connects.
 */
class RawInteropTest {

  @Test
  void rawModeConnectsToAPlainSimultaneousOpenPeerAndBytesFlowBothWays() throws Exception {
    try (TestSidecar sidecar = TestSidecar.start()) {
      GetAddressesResponse addresses = Pair.allocate(sidecar,
          ConnectionOptions.newBuilder().setSecurity(SecurityMode.RAW).build());
      int sidecarPort = Integer.parseInt(addresses.getLocalAddresses(0).replaceAll("^.*:", ""));
      int plainPort = freePort();
      EventRecorder events = EventRecorder.subscribe(sidecar.async(), addresses.getConnectionId());
      sidecar.blocking().attemptConnection(AttemptConnectionRequest.newBuilder()
          .setConnectionId(addresses.getConnectionId()).addPeerAddresses("127.0.0.1:" + plainPort).build());

      try (Socket plain = dialFrom(plainPort, new InetSocketAddress("127.0.0.1", sidecarPort))) {
        Event established = events.next();
        assertThat(established.getEstablished().getRemoteAddress()).isEqualTo("127.0.0.1:" + plainPort);
        assertThat(established.getEstablished().getSecurity()).isEqualTo(SecurityMode.RAW);

        StreamClient stream = StreamClient.open(sidecar.async(), addresses.getConnectionId(), true, true);
        stream.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("hello plain peer\n")).build());
        byte[] fromSidecar = plain.getInputStream().readNBytes(17);
        assertThat(new String(fromSidecar, StandardCharsets.UTF_8)).isEqualTo("hello plain peer\n");

        plain.getOutputStream().write("hello sidecar\n".getBytes(StandardCharsets.UTF_8));
        plain.shutdownOutput();
        Awaiting.until(Duration.ofSeconds(10), "bytes from the plain peer", () -> stream.receivedBytes() == 14);
        assertThat(new String(stream.receivedBytesKept(), StandardCharsets.UTF_8)).isEqualTo("hello sidecar\n");
        assertThat(stream.awaitPeerFinished(Duration.ofSeconds(10))).as("the plain peer's FIN, after its bytes")
            .isEqualTo(14);
        stream.finish();
        assertThat(plain.getInputStream().read()).as("the application's half-close reaches the peer").isEqualTo(-1);
        assertThat(stream.awaitEnd(Duration.ofSeconds(10)).isOk()).isTrue();
      }
    }
  }

  /** Dials from a fixed local port until it connects, as a simultaneous-open peer does. */
  private static Socket dialFrom(int localPort, InetSocketAddress target) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      while (true) {
        Socket socket = new Socket();
        try {
          socket.setReuseAddress(true);
          socket.bind(new InetSocketAddress("127.0.0.1", localPort));
          socket.connect(target, 1000);
          return socket;
        } catch (IOException e) {
          closeQuietly(socket);
        }
      }
    }).get(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // retrying with a new socket
    }
  }
}
