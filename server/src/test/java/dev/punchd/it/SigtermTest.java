package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.testing.Awaiting;
import dev.punchd.testing.HealthWatch;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.SidecarProcess;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a punchd process with an established connection and an open Stream: its health turns
 * NOT_SERVING at once, the stream keeps flowing through the grace period, then the peer sees
 * Closed{SHUTDOWN, PEER} and the process exits 0. Prints startup, memory and shutdown numbers.
 */
class SigtermTest {
  private static final Duration GRACE = Duration.ofSeconds(3);
  /** Room for closing connections and listeners after the grace period on a slow machine. */
  private static final Duration AFTER_GRACE = Duration.ofSeconds(15);

  @Test
  void healthTurnsNotServingFirstThenPeersSeeShutdownAndTheProcessExitsZero(@TempDir Path dir) throws Exception {
    try (SidecarProcess process = SidecarProcess.start(dir, "--health", "127.0.0.1:0", "--metrics", "off",
            "--shutdown-grace", GRACE.toSeconds() + "s");
        TestSidecar peer = TestSidecar.startLikeTheCommandLine()) {
      HealthWatch health = HealthWatch.start(process.healthChannel());
      HealthWatch.Seen serving = health.next(Duration.ofSeconds(60));
      assertThat(serving.status()).isEqualTo(ServingStatus.SERVING);
      long idleRssKib = rssKib(process.process());

      Pair pair = Pair.attempt(process, peer, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      StreamClient localStream = StreamClient.open(process.async(), pair.idA());
      StreamClient remoteStream = StreamClient.open(peer.async(), pair.idB());
      RandomBytes data = new RandomBytes(5);
      remoteStream.send(data, 50_000, 10_000);
      Awaiting.until(Duration.ofSeconds(30), "the stream flows", () -> localStream.receivedBytes() == 50_000);

      long sigterm = System.nanoTime();
      process.process().destroy(); // SIGTERM
      HealthWatch.Seen notServing = health.next(Duration.ofSeconds(30));
      assertThat(notServing.status()).isEqualTo(ServingStatus.NOT_SERVING);
      assertThatThrownBy(() -> process.blocking().getAddresses(GetAddressesRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      remoteStream.send(data, 50_000, 10_000);
      Awaiting.until(Duration.ofSeconds(30), "the stream still flows while punchd drains",
          () -> localStream.receivedBytes() == 100_000);

      Event closed = pair.eventsB.next(GRACE.plus(AFTER_GRACE));
      long closedAt = System.nanoTime();
      assertThat(closed.getClosed().getReason()).as("%s", closed).isEqualTo(CloseReason.SHUTDOWN);
      assertThat(closed.getClosed().getInitiator()).isEqualTo(CloseInitiator.PEER);
      assertThat(notServing.nanoTime()).isLessThan(closedAt);
      assertThat(remoteStream.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      Event closedLocally = pair.eventsA.next();
      assertThat(closedLocally.getClosed().getReason()).isEqualTo(CloseReason.SHUTDOWN);
      assertThat(closedLocally.getClosed().getInitiator()).isEqualTo(CloseInitiator.LOCAL);

      assertThat(process.awaitExit(GRACE.plus(AFTER_GRACE))).as("exit code; log:%n%s", process.logText())
          .contains(0);
      long exited = System.nanoTime();
      System.out.printf("punchd process: SERVING %d ms after launch, idle RSS %d KiB; SIGTERM -> NOT_SERVING "
              + "%d ms, -> peer Closed(SHUTDOWN) %d ms, -> exit 0 %d ms (grace %d ms)%n",
          millis(serving.nanoTime() - process.startNanos()), idleRssKib, millis(notServing.nanoTime() - sigterm),
          millis(closedAt - sigterm), millis(exited - sigterm), GRACE.toMillis());
    }
  }

  private static long rssKib(Process process) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new AssertionError("no VmRSS in /proc/" + process.pid() + "/status");
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
