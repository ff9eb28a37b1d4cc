package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.PortRange;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The opener dial on loopback (the TTL cannot expire there; what expires it is tested in natlab): it binds
 * the shared port, completes like any dial and is refused like any dial, a held one completed later is taken by
 * the next dial; bad TTLs are named.
 */
class MappingOpenerTest {
  private static final MappingOpener OPENER = MappingOpener.withTtl(2);

  @Test
  void aTtlOutsideTheRangeIsNamed() {
    assertThatThrownBy(() -> MappingOpener.withTtl(-1)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> MappingOpener.withTtl(256)).hasMessageContaining("got 256");
    assertThat(MappingOpener.withTtl(0)).isSameAs(MappingOpener.OFF);
    assertThat(MappingOpener.OFF.isOn()).isFalse();
  }

  @Test
  void anOpenerDialFromTheSharedPortCompletesAndCarriesBytes() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SharedPort port = SharedPort.bind(PortRange.ANY)) {
      Optional<Socket> dialled = port.dialOpener(address(peer.getLocalPort()), OPENER, 5000).connected();
      assertThat(dialled).isPresent();
      try (Socket ours = dialled.get(); Socket theirs = peer.accept()) {
        assertThat(theirs.getPort()).isEqualTo(port.port());
        ours.getOutputStream().write(7);
        assertThat(theirs.getInputStream().read()).isEqualTo(7);
      }
    }
  }

  @Test
  void aRefusedOpenerDialSaysSo() throws Exception {
    int closed;
    try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = gone.getLocalPort();
    }
    try (SharedPort port = SharedPort.bind(PortRange.ANY)) {
      assertThatThrownBy(() -> port.dialOpener(address(closed), OPENER, 5000)).isInstanceOf(ConnectException.class);
    }
  }

  /**
   * A held opener dial (its SYN unanswered within the hold: here dropped by a listener whose accept queue is
   * full) that the peer completes before the next dial starts is taken as the connection, not closed.
   */
  @Test
  void aHeldOpenerDialCompletedAfterItsHoldIsTakenByTheNextDial() throws Exception {
    List<Socket> fillers = new ArrayList<>();
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SharedPort port = SharedPort.bind(PortRange.ANY)) {
      while (true) { // fill the accept queue: the kernel then drops further SYNs
        Socket filler = new Socket();
        fillers.add(filler);
        try {
          filler.connect(address(peer.getLocalPort()), 200);
        } catch (SocketTimeoutException full) {
          break;
        }
        assertThat(fillers).as("connections before the accept queue filled").hasSizeLessThan(16);
      }
      Socket next = port.prepareDial();
      OpenerDial held = port.dialOpener(address(peer.getLocalPort()), OPENER, 50);
      assertThat(held.connected()).as("a dropped SYN leaves the opener dial held").isEmpty();
      for (int i = 0; i < fillers.size() - 1; i++) {
        peer.accept().close(); // room again: the held dial's retransmitted SYN completes it
      }
      try (Socket theirs = accepted(peer, port.port());
          Socket ours = port.dial(next, address(peer.getLocalPort()), 1000, held)) {
        assertThat(next.isClosed()).as("the prepared dial, unused").isTrue();
        ours.getOutputStream().write(9);
        assertThat(theirs.getInputStream().read()).isEqualTo(9);
      }
    } finally {
      for (Socket filler : fillers) {
        filler.close();
      }
    }
  }

  /** The next connection the peer accepts from {@code port}, skipping the fillers' timed-out retries. */
  private static Socket accepted(ServerSocket peer, int port) throws IOException {
    peer.setSoTimeout(10_000);
    while (true) {
      Socket socket = peer.accept();
      if (socket.getPort() == port) {
        return socket;
      }
      socket.close();
    }
  }

  @Test
  void anOffOpenerSendsNothing() {
    assertThatThrownBy(() -> MappingOpener.OFF.connect(null, address(1))).isInstanceOf(IllegalStateException.class);
  }

  private static InetSocketAddress address(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }
}
