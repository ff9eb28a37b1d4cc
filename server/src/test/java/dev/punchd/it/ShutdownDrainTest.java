package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.SidecarOptions;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A sidecar that is shutting down reports NOT_SERVING, refuses new connections with UNAVAILABLE, keeps
 * moving the bytes of its live connections, and finishes shutting down as soon as they end, long before
 * its grace period is over; the peer then sees the connection complete, not a SHUTDOWN.
 */
class ShutdownDrainTest {
  private static final Duration LONG_GRACE = Duration.ofMinutes(3);

  @Test
  void liveConnectionsFinishDuringTheGracePeriodWhileNewOnesAreRefused() throws Exception {
    try (TestSidecar draining = TestSidecar.start(s -> s, SidecarOptions.minimal().withShutdownGrace(LONG_GRACE));
        TestSidecar peer = TestSidecar.start()) {
      Pair pair = Pair.attempt(draining, peer, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      StreamClient local = StreamClient.open(draining.async(), pair.idA());
      StreamClient remote = StreamClient.open(peer.async(), pair.idB());

      CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
        try {
          draining.sidecar().close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(draining.channel());
      Awaiting.until(Duration.ofSeconds(30), "health NOT_SERVING", () ->
          health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.NOT_SERVING);
      assertThatThrownBy(() -> draining.blocking().getAddresses(GetAddressesRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

      remote.send(new RandomBytes(7), 100_000, 10_000);
      Awaiting.until(Duration.ofSeconds(30), "bytes sent during the grace period arrive",
          () -> local.receivedBytes() == 100_000);
      assertThat(closing).isNotDone();

      local.finish();
      remote.awaitPeerFinished(Duration.ofSeconds(30));
      remote.finish();
      assertThat(remote.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      assertThat(local.awaitEnd(Duration.ofSeconds(30))).isEqualTo(Status.OK);
      closing.get(60, TimeUnit.SECONDS); // well before the grace period would end
      Event closed = pair.eventsB.next();
      assertThat(closed.getClosed().getReason()).as("%s", closed).isEqualTo(CloseReason.COMPLETED);
    }
  }
}
