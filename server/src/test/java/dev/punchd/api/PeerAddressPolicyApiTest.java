package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.PeerAddressPolicy;
import dev.punchd.testing.InProcessSidecar;
import dev.punchd.testing.Pair;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The address policy seen by an application: what a sidecar advertises and which peer addresses
 * AttemptConnection refuses, depending on whether the sidecar serves peers on its own host.
 */
class PeerAddressPolicyApiTest {
  private static final ConnectionOptions RAW = ConnectionOptions.newBuilder().setSecurity(SecurityMode.RAW).build();

  @Test
  void byDefaultNeitherLoopbackNorLinkLocalIsAdvertised() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withLocalInterfaces(List.of()))) {
      GetAddressesResponse response = Pair.allocate(sidecar, RAW);

      assertThat(response.getLocalAddressesList()).noneMatch(a -> a.startsWith("127.") || a.startsWith("[0:0:0:0:0:0:0:1]")
          || a.startsWith("169.254.") || a.startsWith("[fe80:"));
    }
  }

  @Test
  void loopbackIsAdvertisedWhenNamed() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withLocalInterfaces(List.of("lo")))) {
      assertThat(Pair.allocate(sidecar, RAW).getLocalAddressesList()).anyMatch(a -> a.startsWith("127.0.0.1:"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:5432", "[::1]:6379", "0.0.0.0:22", "169.254.169.254:80", "169.254.7.7:80",
      "[fe80::1]:80", "[fd00:ec2::254]:80"})
  void aSidecarNotServingThisHostRefusesPeerAddressesPointingAtItNamingThem(String address) throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withLocalInterfaces(List.of()))) {
      String id = Pair.allocate(sidecar, RAW).getConnectionId();

      assertThatThrownBy(() -> sidecar.blocking().attemptConnection(AttemptConnectionRequest.newBuilder()
          .setConnectionId(id).addPeerAddresses("203.0.113.9:4000").addPeerAddresses(address).build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("peer address '" + address + "' is refused");
          });
      // Nothing was started: the connection is still waiting for a valid attempt.
      assertThat(sidecar.manager().get(id).state().name()).isEqualTo("ALLOCATED");
    }
  }

  @Test
  void aSidecarAdvertisingLoopbackServesPeersOnThisHost() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withLocalInterfaces(List.of("lo")))) {
      String id = Pair.allocate(sidecar, RAW).getConnectionId();

      sidecar.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(id)
          .addPeerAddresses("127.0.0.1:9").build());
    }
  }

  @Test
  void theOptionAllowsARangeAndNoOther() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withLocalInterfaces(List.of())
        .withAllowedPeerAddresses(Set.of(PeerAddressPolicy.Range.THIS_HOST)))) {
      String refused = Pair.allocate(sidecar, RAW).getConnectionId();
      assertThatThrownBy(() -> sidecar.blocking().attemptConnection(AttemptConnectionRequest.newBuilder()
          .setConnectionId(refused).addPeerAddresses("169.254.169.254:80").build()))
          .hasMessageContaining("'169.254.169.254:80'").hasMessageContaining("metadata");

      String allowed = Pair.allocate(sidecar, RAW).getConnectionId();
      sidecar.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(allowed)
          .addPeerAddresses("127.0.0.1:9").build());
    }
  }
}
