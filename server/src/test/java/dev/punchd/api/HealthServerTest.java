package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.SidecarOptions;
import dev.punchd.engine.HostPort;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.HolePunchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The health-only listener reports the API's health status manager, and serves nothing else. */
class HealthServerTest {

  @Test
  void servesTheApisHealthAndNothingElse() throws Exception {
    try (TestSidecar sidecar = TestSidecar.start(s -> s,
        SidecarOptions.minimal().withHealth(HostPort.parseListen("127.0.0.1:0")))) {
      InetSocketAddress address = sidecar.sidecar().healthAddress().orElseThrow();
      ManagedChannel channel = NettyChannelBuilder.forAddress(address).usePlaintext().build();
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(ServingStatus.SERVING);
        assertThatThrownBy(() -> HolePunchGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getAddresses(GetAddressesRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));

        sidecar.sidecar().api().health().setStatus("", ServingStatus.NOT_SERVING);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(ServingStatus.NOT_SERVING);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
