package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Awaiting;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Strangers racing to a punched port (silent connections, garbage, well-formed hellos that match no
 * fingerprint) neither keep the real peer out nor decide what the attempt reports.
 */
class StrangerFloodTest {
  /** Within this of the later call the real peer must be connected, flood or not (a bound, not a target). */
  private static final Duration CONNECT_BOUND = Duration.ofSeconds(5);
  private static final int HELLO_LENGTH = 85;

  @Test
  void theRealPeerConnectsWhileStrangersFloodThePort() throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      GetAddressesResponse addressesA = Pair.allocate(a, ConnectionOptions.getDefaultInstance());
      GetAddressesResponse addressesB = Pair.allocate(b, ConnectionOptions.getDefaultInstance());
      EventRecorder eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      EventRecorder eventsB = EventRecorder.subscribe(b.async(), addressesB.getConnectionId());
      a.blocking().attemptConnection(Pair.attemptTowards(addressesA.getConnectionId(), addressesB));
      try (Flood flood = Flood.start(port(addressesA))) {
        flood.awaitConnections(200);
        b.blocking().attemptConnection(Pair.attemptTowards(addressesB.getConnectionId(), addressesA));
        Event establishedA = eventsA.next(CONNECT_BOUND);
        Event establishedB = eventsB.next(CONNECT_BOUND);
        assertThat(establishedA.hasEstablished()).as("A: %s", establishedA).isTrue();
        assertThat(establishedB.hasEstablished()).as("B: %s", establishedB).isTrue();
        assertThat(port(establishedA.getEstablished().getRemoteAddress())).as("A is connected to B")
            .isEqualTo(port(addressesB));
        assertThat(flood.connections()).as("stranger connections made").isGreaterThanOrEqualTo(200);
      }
    }
  }

  @Test
  void strangersAloneLeaveTheAttemptTimingOutWithoutAFingerprintMismatch() throws Exception {
    ConnectionOptions quick = ConnectionOptions.newBuilder().setAttemptTimeoutMs(3000).build();
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      GetAddressesResponse addressesA = Pair.allocate(a, quick);
      GetAddressesResponse absent = Pair.allocate(b, quick);
      EventRecorder eventsA = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      b.blocking().close(dev.punchd.v1.CloseRequest.newBuilder().setConnectionId(absent.getConnectionId()).build());
      try (Flood flood = Flood.start(port(addressesA))) {
        a.blocking().attemptConnection(Pair.attemptTowards(addressesA.getConnectionId(), absent));
        Event failed = eventsA.next(Duration.ofSeconds(10));
        assertThat(failed.hasFailed()).as("A: %s", failed).isTrue();
        assertThat(failed.getFailed().getReason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(failed.getFailed().getAddressErrorsList()).as("only the peer's addresses are listed")
            .allSatisfy(error -> assertThat(absent.getLocalAddressesList()).contains(error.getAddress()));
        assertThat(flood.connections()).as("stranger connections made").isPositive();
      }
    }
  }

  private static int port(GetAddressesResponse addresses) {
    return port(addresses.getLocalAddresses(0));
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** Strangers connecting to 127.0.0.1:port over and over from four threads until closed. */
  private static final class Flood implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> open = new ArrayList<>(); // guarded by itself

    /** Two threads send a hello or garbage, twenty stay silent: more than the port's handshake slots. */
    static Flood start(int port) {
      Flood flood = new Flood();
      for (int i = 0; i < 22; i++) {
        int kind = i;
        flood.threads.add(Thread.ofVirtual().start(() -> flood.run(port, kind)));
      }
      return flood;
    }

    /** Connects, says its piece (or nothing) and waits until the port hangs up, over and over. */
    private void run(int port, int kind) {
      while (running.get()) {
        Socket socket = new Socket();
        synchronized (open) {
          open.add(socket);
        }
        try {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          connections.incrementAndGet();
          OutputStream out = socket.getOutputStream();
          switch (kind) {
            case 0 -> out.write(wellFormedHello());
            case 1 -> out.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            default -> { } // silent: holds a handshake slot until it is cut off
          }
          out.flush();
          socket.getInputStream().readAllBytes();
        } catch (IOException e) {
          // refused or reset: the port turned this stranger away, which is the point
        } finally {
          closeQuietly(socket);
          synchronized (open) {
            open.remove(socket);
          }
        }
      }
    }

    /** A hello of the right shape whose nonce and commitments are random: it matches no fingerprint. */
    private static byte[] wellFormedHello() {
      byte[] hello = new byte[HELLO_LENGTH];
      ThreadLocalRandom.current().nextBytes(hello);
      System.arraycopy("PNCH".getBytes(StandardCharsets.US_ASCII), 0, hello, 0, 4);
      hello[4] = 2;
      return hello;
    }

    void awaitConnections(int count) {
      Awaiting.until(Duration.ofSeconds(20), count + " stranger connections", () -> connections.get() >= count);
    }

    int connections() {
      return connections.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      synchronized (open) {
        open.forEach(Flood::closeQuietly);
      }
      for (Thread thread : threads) {
        thread.join(5000);
      }
    }

    private static void closeQuietly(Socket socket) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // a stranger's socket
      }
    }
  }
}
