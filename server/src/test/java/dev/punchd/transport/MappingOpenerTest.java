package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.PortRange;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The opener dial on loopback (the TTL cannot expire there; what expires it is tested in natlab): it binds
 * the shared port, completes like any dial and is refused like any dial; bad TTLs are named.
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

  @Test
  void anOffOpenerSendsNothing() {
    assertThatThrownBy(() -> MappingOpener.OFF.connect(null, address(1))).isInstanceOf(IllegalStateException.class);
  }

  private static InetSocketAddress address(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }
}
