package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.Link;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every decided attempt is reported, even when the candidate that won fails right after winning. */
class PunchAttemptTest {
  private static final Duration WINDOW = Duration.ofSeconds(20);

  @Test
  void aWinnerThatFailsAfterWinningFailsTheAttemptAtOnceWithItsReason() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SharedPort port = SharedPort.bind(PortRange.ANY)) {
      CompletableFuture<Failed> failed = new CompletableFuture<>();
      Handshaker winsThenBreaks = (socket, nomination, timeoutMillis) -> {
        if (nomination.tryWin()) {
          throw new Handshaker.HandshakeException(FailureReason.HANDSHAKE_FAILED, "NOMINATE could not be sent");
        }
        return java.util.Optional.empty();
      };
      PunchAttempt attempt = new PunchAttempt("test", port,
          List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort())), winsThenBreaks,
          true, new PunchAttempt.Timing(WINDOW, Duration.ofMillis(200), Duration.ofSeconds(5),
              new SynPacer(EngineMetrics.NONE), dev.punchd.transport.MappingOpener.OFF),
          timer, new PunchAttempt.Outcome() {
            @Override
            public void established(Link link) {
              failed.completeExceptionally(new AssertionError("established although the winner broke"));
            }

            @Override
            public void failed(Failed outcome) {
              failed.complete(outcome);
            }
          });
      attempt.start();

      Failed outcome = failed.get(WINDOW.toMillis() / 2, TimeUnit.MILLISECONDS);
      assertThat(outcome.getReason()).isEqualTo(FailureReason.HANDSHAKE_FAILED);
      assertThat(outcome.getMessage()).contains("NOMINATE could not be sent");
    } finally {
      timer.shutdownNow();
    }
  }
}
