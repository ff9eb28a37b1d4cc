package dev.punchd.discovery.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.PortRange;
import dev.punchd.stun.Dialer;
import dev.punchd.stun.StunServerException;
import dev.punchd.testing.Coturn;
import dev.punchd.transport.SharedPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STUN Binding over TCP and the mapping probe against a real coturn on loopback (RFC 5780 enabled). */
class StunBindingCoturnTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static Coturn coturn;

  @BeforeAll
  static void startCoturn() throws Exception {
    coturn = Coturn.start("alice", "secret", Coturn.RFC5780);
  }

  @AfterAll
  static void stopCoturn() throws Exception {
    if (coturn != null) {
      coturn.close();
    }
  }

  @Test
  void bindingFromASharedPortReturnsThatPortAsSeenByTheServer() throws Exception {
    try (SharedPort port = SharedPort.bind(PortRange.ANY)) {
      StunBindingClient client = new StunBindingClient(port::dial, TIMEOUT);
      List<Long> micros = new ArrayList<>();
      // Each Binding is its own TCP connection from the one port: four destinations, so no 4-tuple repeats.
      for (String ip : List.of("127.0.0.1", "127.0.0.2")) {
        for (int serverPort : List.of(coturn.address().getPort(), coturn.altPort())) {
          BindingResult result = client.bind(new InetSocketAddress(InetAddress.getByName(ip), serverPort));
          assertThat(result.mapped()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port.port()));
          assertThat(result.local().getPort()).isEqualTo(port.port());
          assertThat(result.portPreserved()).isTrue();
          assertThat(result.otherAddress()).isPresent();
          micros.add(result.roundTrip().toNanos() / 1000);
        }
      }
      System.out.println("STUN Binding over TCP to coturn, round trips (us): " + micros);
    }
  }

  @Test
  void probeThroughAnRfc5780ServerFindsNoDestinationDependence() throws Exception {
    try (SharedPort port = SharedPort.bind(PortRange.ANY)) {
      NatMapping mapping = new NatMappingProbe(new StunBindingClient(port::dial, TIMEOUT))
          .probe(List.of(coturn.address()));
      assertThat(mapping.problems()).isEmpty();
      assertThat(mapping.behaviour()).isEqualTo(MappingBehaviour.ENDPOINT_INDEPENDENT);
      assertThat(mapping.observations()).hasSize(2);
      assertThat(mapping.observations().get(1).server().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
      assertThat(mapping.mappedAddress().getPort()).isEqualTo(port.port());
      assertThat(mapping.portPreserved()).isTrue();
    }
  }

  @Test
  void aServerThatDoesNotAnswerIsNamedWithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = (InetSocketAddress) silent.getLocalSocketAddress();
      long start = System.nanoTime();
      assertThatThrownBy(() -> new StunBindingClient(Dialer.ephemeral(), Duration.ofMillis(300)).bind(address))
          .isInstanceOf(StunServerException.class)
          .hasMessageContaining("stun://127.0.0.1:" + address.getPort())
          .hasMessageContaining("no Binding response within PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void aClosedPortIsNamedAsUnreachable() throws Exception {
    InetSocketAddress closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = (InetSocketAddress) socket.getLocalSocketAddress();
    }
    assertThatThrownBy(() -> new StunBindingClient(Dialer.ephemeral(), TIMEOUT).bind(closed))
        .isInstanceOf(StunServerException.class)
        .hasMessageContaining("stun://127.0.0.1:" + closed.getPort() + ": cannot connect over TCP");
  }
}
